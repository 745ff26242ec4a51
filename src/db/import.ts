import { forgetAssets } from "../cache";
import type { Db } from "./client";
import { sqlAssignments, toReady } from "./transitions";

export const IMPORT_MODES = ["insert", "upsert", "skip-existing"] as const;
export type ImportMode = (typeof IMPORT_MODES)[number];

export interface ImportRow {
  line: number;
  source: string;
  key: string;
  imageId: string;
  originUrl: string | null;
}

/** Per row: written as a new mapping, written over an existing one, or left alone (already mapped). */
export type RowOutcome = "created" | "updated" | "untouched";

/**
 * ?1 = JSON array of [source, key, imageId, originUrl] rows, ?2 = the import's timestamp. A row
 * RETURNed with created_at = ?2 is new; any other returned row existed and was written over.
 */
const INSERT_SELECT = `
  INSERT INTO mappings (source, key, image_id, state, origin_url, attempts, hits, created_at, updated_at)
  SELECT json_extract(j.value, '$[0]'), json_extract(j.value, '$[1]'), json_extract(j.value, '$[2]'),
         'ready', json_extract(j.value, '$[3]'), 0, 0, ?2, ?2
  FROM json_each(?1) AS j WHERE true
  ON CONFLICT (source, key) DO UPDATE SET
    ${sqlAssignments(toReady(""), ["imageId"])}, image_id = excluded.image_id,
    origin_url = coalesce(excluded.origin_url, mappings.origin_url),
    updated_at = excluded.updated_at`;
const RETURNING = " RETURNING source, key, created_at = ?2 AS created";
const UPSERT = INSERT_SELECT + RETURNING;
const INSERT_UNMAPPED = `${INSERT_SELECT} WHERE mappings.state <> 'ready'${RETURNING}`;

interface Returned {
  source: string;
  key: string;
  created: number;
}

/** Rows per INSERT … SELECT FROM json_each(?): one bound JSON parameter carries them all. */
const ROWS_PER_STATEMENT = 1000;
/** Statements per db.batch round trip (each batch is atomic). */
const STATEMENTS_PER_BATCH = 25;

/**
 * Writes many mappings with few statements. Each statement inserts up to 1000 rows passed as one
 * JSON parameter (D1 caps bound parameters at 100 per statement, so one row per parameter set
 * would need 25× more statements), and statements go to D1 in atomic batches.
 * - `upsert`: existing mappings are pointed at the new image;
 * - `insert` / `skip-existing`: an already mapped (`ready`) asset is left alone — the caller
 *   reports it as an error or as skipped; rows left by an unfinished or failed ingest are taken over.
 * Returns the outcome of every row by its position in `rows`. Assets that were written over are
 * dropped from the lookup caches.
 */
export async function bulkPutMappings(
  db: Db,
  rows: ImportRow[],
  mode: ImportMode,
  now: string,
): Promise<RowOutcome[]> {
  const outcomes: RowOutcome[] = new Array(rows.length).fill("untouched");
  // Rows are unique by (source, key) (the caller drops duplicates), so RETURNING maps back exactly.
  const position = new Map<string, number>();
  rows.forEach((r, i) => position.set(`${r.source}\u0000${r.key}`, i));
  const statements: D1PreparedStatement[] = [];
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(start, start + ROWS_PER_STATEMENT);
    const json = JSON.stringify(chunk.map((r) => [r.source, r.key, r.imageId, r.originUrl]));
    statements.push(db.$client.prepare(mode === "upsert" ? UPSERT : INSERT_UNMAPPED).bind(json, now));
  }
  for (let i = 0; i < statements.length; i += STATEMENTS_PER_BATCH) {
    const results = await db.$client.batch<Returned>(statements.slice(i, i + STATEMENTS_PER_BATCH));
    for (const { results: returned } of results) {
      for (const r of returned) {
        const at = position.get(`${r.source}\u0000${r.key}`);
        if (at !== undefined) outcomes[at] = r.created ? "created" : "updated";
      }
    }
  }
  const updated = rows.filter((_, i) => outcomes[i] === "updated");
  if (updated.length > 0) await forgetAssets(updated);
  return outcomes;
}
