import { config } from "../../config";
import { getDb } from "../../db/client";
import { getMapping, getMappingRowByKey, toMapping } from "../../db/mappings";
import { getSource } from "../../db/sources";
import { apiError } from "../../errors";
import { ok } from "../../http/envelope";
import { startIngest } from "../../ingest/ingest";
import { targetForMapping } from "../../resolve/origin";
import type { AdminHandler } from "../types";
import { mappingIdParam } from "./get";

/**
 * POST /_admin/mappings/:id/retry — ingest this mapping now through the shared ingestion module,
 * ignoring its backoff or negative-cache window (the same lease as a first hit, so it never races
 * one). 200 with the mapping as the attempt left it (`ready`, or `failed`/`missing` with the new
 * `lastError`). 409 `not_retryable` for a `ready` mapping or one being ingested right now; 422
 * `no_origin` when its source has no origin to fetch from.
 */
export const retryMappingRoute: AdminHandler = async (req, env) => {
  const id = mappingIdParam(req.params.id);
  const db = getDb(env, "primary");
  const row = await getMapping(db, id);
  if (!row) throw apiError("mapping_not_found", `No mapping with id '${id}'`);
  if (row.state === "ready") throw apiError("not_retryable", `Mapping ${id} is ready: nothing to retry`);
  const source = await getSource(db, row.source);
  if (!source) throw apiError("source_not_found", `No source with id '${row.source}'`);
  const target = targetForMapping(source, row.key, row.originUrl);
  if (!target) throw apiError("no_origin", `Source '${source.id}' has no origin to fetch from`);

  const cfg = config(env);
  const run = await startIngest(env, cfg, target, Date.now(), { force: true });
  if (!run) {
    const now = await getMappingRowByKey(db, row.source, row.key);
    throw apiError(
      "not_retryable",
      now?.state === "ready"
        ? `Mapping ${id} is ready: nothing to retry`
        : `Mapping ${id} is being ingested right now; try again when it settles`,
    );
  }
  const outcome = await run.done;
  const after = outcome.state !== "busy" ? outcome.mapping : null;
  return ok(toMapping(after ?? (await getMappingRowByKey(db, row.source, row.key)) ?? run.claim));
};
