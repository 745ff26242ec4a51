import { z } from "zod";
import { nowIso } from "../../db/client";
import { bulkPutMappings, type ImportRow } from "../../db/import";
import { readText, validate } from "../../http/body";
import { ok } from "../../http/envelope";
import { prepareRows } from "../../import/prepare";
import { formatOf, parseRows, type RowError } from "../../import/rows";
import { forget, forgetAllInMemory } from "../../redirect/lookup-cache";
import type { AdminHandler } from "../types";

/** Large enough for 100 000 rows of ordinary URLs; the isolate has 128 MB for everything. */
export const MAX_IMPORT_BYTES = 32 * 1024 * 1024;

const query = z.strictObject({
  mode: z.enum(["insert", "upsert", "skip-existing"]).default("insert"),
  verify: z.enum(["true", "false"]).default("false"),
});

/**
 * POST /_admin/mappings/import?mode=insert|upsert|skip-existing[&verify=true] — a JSON array,
 * NDJSON or CSV (`url,imageId`, header optional) of up to 100 000 mappings. Bad rows are reported
 * by line and the good ones are kept. Image ids are trusted unless `verify=true`.
 */
export const importMappingsRoute: AdminHandler = async (req, env) => {
  const { mode, verify } = validate(query, req.query);
  const format = formatOf(req.headers.get("content-type"));
  const text = await readText(req, MAX_IMPORT_BYTES);
  const { rows: raw, errors } = parseRows(text, format);
  const rows = await prepareRows(env, raw, errors, verify === "true");

  const outcomes = await bulkPutMappings(env.DB, rows, mode, nowIso());
  let created = 0;
  let updated = 0;
  let skipped = 0;
  outcomes.forEach((o, i) => {
    if (o === "created") created++;
    else if (o === "updated") updated++;
    else if (mode === "skip-existing") skipped++;
    else errors.push(alreadyMapped(rows[i]!.line));
  });
  if (updated > 0) await forgetUpdated(rows.filter((_, i) => outcomes[i] === "updated"));
  errors.sort((a, b) => a.line - b.line);
  return ok({ created, updated, skipped, errors });
};

/** Edge-cache entries purged per import; beyond that, other entries expire within LOOKUP_CACHE_TTL. */
const MAX_PURGES = 5000;

/**
 * Mappings that now point elsewhere must not be answered from a cached lookup: this isolate's
 * memory is cleared, and the edge cache of this data center loses the updated assets' entries.
 */
async function forgetUpdated(rows: ImportRow[]): Promise<void> {
  forgetAllInMemory();
  const purge = rows.slice(0, MAX_PURGES);
  for (let i = 0; i < purge.length; i += 50) {
    await Promise.all(purge.slice(i, i + 50).map((r) => forget(r.source, r.key).catch(() => undefined)));
  }
}

const alreadyMapped = (line: number): RowError => ({
  line,
  message: "already mapped; use mode=upsert to replace or mode=skip-existing to skip",
});
