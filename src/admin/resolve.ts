import * as z from "zod/mini";
import { config } from "../config";
import { getDb } from "../db/client";
import { getMappingRowByKey, toMapping } from "../db/mappings";
import { ApiError, type ErrorBody } from "../errors";
import { fieldError, readJson } from "../http/body";
import { ok } from "../http/envelope";
import { decide, deliveryLocation, targetFor } from "../resolve/resolve";
import { matchableSources } from "../sources/registry";
import type { AdminHandler } from "./types";

const body = z.strictObject({ url: z.string("must be a string") });

/**
 * POST /_admin/resolve `{url}` — a dry run of the redirect path: what a GET of this URL would do
 * now, read straight from D1 (no cache, no hit counted, nothing ingested).
 */
export const resolveRoute: AdminHandler = async (req, env) => {
  const { url: raw } = await readJson(req, body);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw fieldError("url", "is not an absolute URL");
  }
  const cfg = config(env);
  const t = targetFor(cfg, await matchableSources(env, cfg.sourcesCacheTtl), url);
  if (!t.ok) {
    return ok({
      source: t.source?.id ?? null,
      key: null,
      options: {},
      variant: null,
      mapping: null,
      action: t.source ? "invalid" : "not-found",
      location: null,
      error: t.error.body,
    });
  }
  const { source, asset, variant } = t.target;
  const row = await getMappingRowByKey(getDb(env, "primary"), source.id, asset.key);
  const now = Date.now();
  const decision = decide(t.target, row, now);
  let location: string | null = null;
  let error: ErrorBody | undefined;
  switch (decision.action) {
    case "redirect":
      try {
        location = (await deliveryLocation(cfg, url.origin, t.target, decision.imageId, now)).location;
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        error = err.body;
      }
      break;
    case "ingest":
    case "redirect-origin":
      location = decision.originUrl;
      break;
    case "not-found":
      error = decision.error.body;
      break;
  }
  return ok({
    source: source.id,
    key: asset.key,
    options: asset.options,
    variant,
    mapping: row ? toMapping(row) : null,
    action: decision.action,
    location,
    ...(error ? { error } : {}),
    // What the URL asked for that Images will not do, and why (SPEC: present when not empty).
    ...(asset.dropped.length > 0 ? { dropped: asset.dropped } : {}),
  });
};
