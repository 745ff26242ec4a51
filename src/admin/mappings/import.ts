import * as z from "zod/mini";
import { getDb, nowIso } from "../../db/client";
import { bulkPutMappings, IMPORT_MODES } from "../../db/import";
import { readText, validate } from "../../http/body";
import { ok } from "../../http/envelope";
import { prepareRows } from "../../import/prepare";
import { formatOf, parseRows, type RowError } from "../../import/rows";
import type { AdminHandler } from "../types";

/** Large enough for 100 000 rows of ordinary URLs; the isolate has 128 MB for everything. */
export const MAX_IMPORT_BYTES = 32 * 1024 * 1024;

const query = z.strictObject({
  mode: z._default(z.enum(IMPORT_MODES), "insert"),
  verify: z._default(z.enum(["true", "false"]), "false"),
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

  const { outcomes, failed } = await bulkPutMappings(getDb(env, "primary"), rows, mode, nowIso());
  let created = 0;
  let updated = 0;
  let skipped = 0;
  outcomes.forEach((o, i) => {
    if (o === "created") created++;
    else if (o === "updated") updated++;
    else if (o === "failed") errors.push({ line: rows[i]!.line, message: failed.get(i)! });
    else if (mode === "skip-existing") skipped++;
    else errors.push(alreadyMapped(rows[i]!.line));
  });
  errors.sort((a, b) => a.line - b.line);
  return ok({ created, updated, skipped, errors });
};

const alreadyMapped = (line: number): RowError => ({
  line,
  message: "already mapped; use mode=upsert to replace or mode=skip-existing to skip",
});
