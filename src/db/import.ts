import { forgetAssets } from "../cache";
import { type Db, innermostMessage } from "./client";
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

export type RowOutcome = "created" | "updated" | "untouched" | "failed";

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
/** D1 refuses a bound value over 1 MB: each statement's JSON stays below it (UTF-8 bytes). */
export const MAX_BOUND_VALUE_BYTES = 1_000_000;
/** Statements per db.batch round trip (each batch is atomic), and bytes of JSON in one batch. */
const STATEMENTS_PER_BATCH = 25;
const BYTES_PER_BATCH = 5_000_000;

const encoder = new TextEncoder();
const NON_ASCII = /[^\x00-\x7f]/;
const utf8Bytes = (s: string) => (NON_ASCII.test(s) ? encoder.encode(s).byteLength : s.length);

/** Rows `start..end` of the input, as one statement's JSON parameter. */
interface Chunk {
  start: number;
  end: number;
  json: string;
  bytes: number;
}

/**
 * Cuts rows into statements by count (≤ 1000) and by bytes (the JSON ≤ MAX_BOUND_VALUE_BYTES), so
 * long keys, ids and URLs never make a bound value D1 would refuse. A row that alone is too large
 * is reported in `tooLarge` (cannot happen within the key, id and origin limits).
 */
export function chunkRows(rows: ImportRow[]): { chunks: Chunk[]; tooLarge: number[] } {
  const chunks: Chunk[] = [];
  const tooLarge: number[] = [];
  let parts: string[] = [];
  let bytes = 2; // [ and ]
  let start = 0;
  const close = (end: number) => {
    if (parts.length > 0) chunks.push({ start, end, json: `[${parts.join(",")}]`, bytes });
    parts = [];
    bytes = 2;
    start = end;
  };
  rows.forEach((r, i) => {
    const json = JSON.stringify([r.source, r.key, r.imageId, r.originUrl]);
    const size = utf8Bytes(json) + 1; // and its comma
    if (size + 2 > MAX_BOUND_VALUE_BYTES) {
      close(i);
      tooLarge.push(i);
      start = i + 1;
      return;
    }
    if (parts.length >= ROWS_PER_STATEMENT || bytes + size > MAX_BOUND_VALUE_BYTES) close(i);
    parts.push(json);
    bytes += size;
  });
  close(rows.length);
  return { chunks, tooLarge };
}

/** Per row: written as a new mapping, written over an existing one, left alone, or not written. */
export interface BulkResult {
  outcomes: RowOutcome[];
  /** Why rows were not written (their batch failed, or the row is too large), by row index. */
  failed: Map<number, string>;
}

/**
 * Writes many mappings with few statements. Each statement inserts up to 1000 rows passed as one
 * JSON parameter (D1 caps bound parameters at 100 per statement, so one row per parameter set
 * would need 25× more statements), at most MAX_BOUND_VALUE_BYTES of it, and statements go to D1 in
 * atomic batches.
 * - `upsert`: existing mappings are pointed at the new image;
 * - `insert` / `skip-existing`: an already mapped (`ready`) asset is left alone — the caller
 *   reports it as an error or as skipped; rows left by an unfinished or failed ingest are taken over.
 * A batch D1 refuses wrote nothing (batches are atomic): its rows are returned in `failed` and the
 * next batches still run. Assets that were written over are dropped from the lookup caches.
 */
export async function bulkPutMappings(
  db: Db,
  rows: ImportRow[],
  mode: ImportMode,
  now: string,
): Promise<BulkResult> {
  const outcomes: RowOutcome[] = new Array(rows.length).fill("untouched");
  const failed = new Map<number, string>();
  // Rows are unique by (source, key) (the caller drops duplicates), so RETURNING maps back exactly.
  const position = new Map<string, number>();
  rows.forEach((r, i) => position.set(`${r.source}\u0000${r.key}`, i));
  const { chunks, tooLarge } = chunkRows(rows);
  for (const i of tooLarge)
    failed.set(i, `too large to store: D1 takes at most ${MAX_BOUND_VALUE_BYTES} bytes`);
  const sql = mode === "upsert" ? UPSERT : INSERT_UNMAPPED;

  for (let i = 0; i < chunks.length;) {
    const batch: Chunk[] = [];
    let bytes = 0;
    while (
      i < chunks.length &&
      batch.length < STATEMENTS_PER_BATCH &&
      (batch.length === 0 || bytes + chunks[i]!.bytes <= BYTES_PER_BATCH)
    ) {
      bytes += chunks[i]!.bytes;
      batch.push(chunks[i++]!);
    }
    let results: D1Result<Returned>[];
    try {
      results = await db.$client.batch<Returned>(batch.map((c) => db.$client.prepare(sql).bind(c.json, now)));
    } catch (err) {
      const message = `not written: D1 refused this batch (${innermostMessage(err)}); nothing of it was stored, send these rows again`;
      for (const c of batch) for (let r = c.start; r < c.end; r++) if (!failed.has(r)) failed.set(r, message);
      continue;
    }
    for (const { results: returned } of results) {
      for (const r of returned) {
        const at = position.get(`${r.source}\u0000${r.key}`);
        if (at !== undefined) outcomes[at] = r.created ? "created" : "updated";
      }
    }
  }
  for (const i of failed.keys()) outcomes[i] = "failed";
  const updated = rows.filter((_, i) => outcomes[i] === "updated");
  if (updated.length > 0) await forgetAssets(updated);
  return { outcomes, failed };
}
