import { getDb, nowIso } from "../../db/client";
import { countMappingsOfSource, replaceSource } from "../../db/sources";
import { apiError } from "../../errors";
import { fieldError, readJson, validate } from "../../http/body";
import { ok } from "../../http/envelope";
import { webhookWarnings } from "../../hooks/secret";
import { sourceInput, sourcePatch } from "../../sources/schema";
import type { AdminHandler } from "../types";
import { requireSource } from "./get";

/**
 * PATCH /_admin/sources/:id — the patch is merged over the stored source and the result is
 * validated as a whole, so a patch can never leave a source that POST would refuse.
 */
export const updateSourceRoute: AdminHandler = async (req, env) => {
  const patch = await readJson(req, sourcePatch);
  const db = getDb(env, "primary");
  const current = await requireSource(db, req.params.id!);
  if (patch.kind && patch.kind !== current.kind && (await countMappingsOfSource(db, current.id)) > 0) {
    // Keys mean different things per kind: existing mappings would silently stop matching.
    throw fieldError("kind", "cannot change while the source has mappings");
  }
  const { createdAt, updatedAt: _u, ...stored } = current;
  const merged = validate(sourceInput, { ...stored, ...patch });
  const next = { ...merged, createdAt, updatedAt: nowIso() };
  if (!(await replaceSource(db, next)))
    throw apiError("source_not_found", `No source with id '${current.id}'`);
  return ok(next, { messages: webhookWarnings(env, next) });
};
