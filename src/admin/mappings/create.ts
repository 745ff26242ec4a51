import { getDb } from "../../db/client";
import { putReadyMapping } from "../../db/mappings";
import { getSource } from "../../db/sources";
import { apiError } from "../../errors";
import { fieldError, readJson } from "../../http/body";
import { ok } from "../../http/envelope";
import { validateKey } from "../../parsers/key";
import { locateUrl } from "../../resolve/locate";
import { originUrlForKey } from "../../resolve/origin";
import type { AdminHandler } from "../types";
import { requireImage } from "./images";
import { createMappingBody } from "./schema";

/**
 * POST /_admin/mappings — `{url, imageId}` (parsed like the redirect path) or `{source, key,
 * imageId}`. The image must exist. 409 when the asset is already mapped, unless `upsert: true`.
 */
export const createMappingRoute: AdminHandler = async (req, env) => {
  const body = await readJson(req, createMappingBody);
  const db = getDb(env, "primary");
  let source: string;
  let key: string;
  let originUrl: string | null;
  if (body.url !== undefined) {
    const target = await locateUrl(env, body.url);
    source = target.source.id;
    key = target.asset.key;
    originUrl = target.originUrl;
  } else {
    const s = await getSource(db, body.source!);
    if (!s) throw fieldError("source", `no source with id '${body.source}'`);
    const invalid = validateKey(body.key!);
    if (invalid) throw fieldError("key", invalid.message);
    source = s.id;
    key = body.key!;
    originUrl = originUrlForKey(s, key);
  }
  await requireImage(env, body.imageId);
  const mapping = await putReadyMapping(db, { source, key, imageId: body.imageId, originUrl }, body.upsert);
  if (!mapping) {
    throw apiError(
      "mapping_exists",
      `'${key}' of source '${source}' is already mapped; pass upsert: true to replace`,
    );
  }
  return ok(mapping, { status: 201 });
};
