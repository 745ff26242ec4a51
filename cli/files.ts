import { createReadStream, readFileSync } from "node:fs";
import { createInterface } from "node:readline";

/**
 * Reading operator files (or stdin, `-`) in request-sized chunks of physical lines, so a file of a
 * million rows is never sent, or held, whole, and every answer's `line` maps back to the file.
 */
export type FileFormat = "csv" | "ndjson" | "json" | "lines";

export function formatOf(file: string, explicit: string | undefined, fallback: FileFormat): FileFormat {
  if (explicit) {
    if (!["csv", "ndjson", "json", "lines"].includes(explicit))
      throw new Error(`--format: unknown format '${explicit}'`);
    return explicit as FileFormat;
  }
  if (/\.csv$/i.test(file)) return "csv";
  if (/\.(nd)?jsonl?$/i.test(file)) return /\.json$/i.test(file) ? "json" : "ndjson";
  return fallback;
}

export const contentTypeOf = (format: FileFormat) =>
  ({ csv: "text/csv", ndjson: "application/x-ndjson", json: "application/json", lines: "text/plain" })[
    format
  ];

/** A run of physical lines of the file, the first being `startLine` (1-based). */
export interface Chunk {
  startLine: number;
  lines: string[];
  /** Records (non-blank lines, or CSV records) in it. */
  records: number;
}

export interface ChunkOptions {
  /** Records per chunk. */
  size: number;
  /** First physical line to read (1-based, inclusive). */
  fromLine: number;
  /** CSV: a quoted field may span lines; a chunk never splits a record. */
  csv: boolean;
  /** Called with the first non-blank line: true when it is a header (kept apart, never counted). */
  isHeader?: (line: string) => boolean;
}

/** The header line if the file has one (it is sent again in front of every chunk). */
export interface ChunkedFile {
  header: string | null;
  chunks: AsyncGenerator<Chunk>;
}

function lineReader(file: string) {
  const input = file === "-" ? process.stdin : createReadStream(file, { encoding: "utf8" });
  return createInterface({ input, crlfDelay: Infinity });
}

/** Odd number of `"` in a line: it opens (or closes) a quoted CSV field that spans lines. */
const togglesQuote = (line: string) => (line.split('"').length - 1) % 2 === 1;

export async function chunkFile(file: string, opts: ChunkOptions): Promise<ChunkedFile> {
  const lines = lineReader(file)[Symbol.asyncIterator]();
  let header: string | null = null;
  let lineNo = 0;
  let first: string | undefined;
  // Look for the header among the first lines (before --from-line skips anything).
  for (;;) {
    const next = await lines.next();
    if (next.done) break;
    lineNo++;
    const text = lineNo === 1 ? next.value.replace(/^\uFEFF/, "") : next.value;
    if (text.trim() === "") continue;
    if (opts.isHeader?.(text)) header = text;
    else first = text;
    break;
  }
  const firstLineNo = lineNo;
  async function* chunks(): AsyncGenerator<Chunk> {
    let chunk: Chunk | null = null;
    let inQuotes = false;
    const take = function* (text: string, n: number): Generator<Chunk> {
      if (n < opts.fromLine) return;
      if (!chunk) chunk = { startLine: n, lines: [], records: 0 };
      const startsRecord = !inQuotes && text.trim() !== "";
      if (startsRecord && chunk.records >= opts.size) {
        yield chunk;
        chunk = { startLine: n, lines: [], records: 0 };
      }
      chunk.lines.push(text);
      if (startsRecord) chunk.records++;
      if (opts.csv && togglesQuote(text)) inQuotes = !inQuotes;
    };
    if (first !== undefined) yield* take(first, firstLineNo);
    for (;;) {
      const next = await lines.next();
      if (next.done) break;
      lineNo++;
      yield* take(next.value, lineNo);
    }
    if (chunk && (chunk as Chunk).records > 0) yield chunk;
  }
  return { header, chunks: chunks() };
}

/** Records from `fromLine` on (a quick first pass, for the progress bar's total and ETA). */
export async function countRecords(file: string, opts: ChunkOptions): Promise<number> {
  const { chunks } = await chunkFile(file, { ...opts, size: Number.MAX_SAFE_INTEGER });
  let n = 0;
  for await (const c of chunks) n += c.records;
  return n;
}

/** A JSON array file, element by element (elements are the import API's `line`s). */
export function readJsonArray(file: string): unknown[] {
  const text = file === "-" ? readFileSync(0, "utf8") : readFileSync(file, "utf8");
  const data = JSON.parse(text.replace(/^\uFEFF/, "")) as unknown;
  if (!Array.isArray(data)) throw new Error(`${file}: expected a JSON array`);
  return data;
}

/** One CSV field, quoted when it needs to be. */
export const csvField = (value: unknown) => {
  const s = value === null || value === undefined ? "" : String(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
