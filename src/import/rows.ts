import { csvParseRows } from "d3-dsv";
import * as z from "zod/mini";
import { apiError } from "../errors";
import { parseJson } from "../http/body";

/** LF, CRLF (once) or a lone CR. */
const LINE_ENDS = /\r\n|\n|\r/g;

/** One row of a bulk import as written by the operator, with where it came from. */
export interface RawRow {
  /** 1-based line (CSV, NDJSON) or element (JSON array). */
  line: number;
  url?: string;
  source?: string;
  key?: string;
  imageId?: string;
}
export interface RowError {
  line: number;
  message: string;
}

export const MAX_IMPORT_ROWS = 100_000;

const rowSchema = z.strictObject({
  url: z.optional(z.string("must be a string")),
  source: z.optional(z.string("must be a string")),
  key: z.optional(z.string("must be a string")),
  imageId: z.string("must be a string"),
});

export type ImportFormat = "json" | "ndjson" | "csv";

export function formatOf(contentType: string | null): ImportFormat {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "application/json") return "json";
  if (
    ["application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines"].includes(
      type,
    )
  ) {
    return "ndjson";
  }
  if (type === "text/csv") return "csv";
  throw apiError(
    "unsupported_media_type",
    "Send application/json (an array), application/x-ndjson (one object a line) or text/csv (url,imageId)",
  );
}

const tooMany = () => apiError("payload_too_large", `At most ${MAX_IMPORT_ROWS} rows a request`);

function fromObject(value: unknown, line: number, rows: RawRow[], errors: RowError[]): void {
  const parsed = rowSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length ? issue.path.join(".") : "row";
    errors.push({ line, message: `${field}: ${issue.message}` });
    return;
  }
  rows.push({ line, ...parsed.data });
}

/** Parses the body into rows; malformed rows become per-line errors, the rest is kept. */
export function parseRows(text: string, format: ImportFormat): { rows: RawRow[]; errors: RowError[] } {
  const rows: RawRow[] = [];
  const errors: RowError[] = [];
  if (format === "json") {
    const data = parseJson(text);
    if (!Array.isArray(data)) throw apiError("validation_failed", "body: expected a JSON array of mappings");
    if (data.length > MAX_IMPORT_ROWS) throw tooMany();
    data.forEach((value, i) => fromObject(value, i + 1, rows, errors));
    return { rows, errors };
  }
  if (format === "ndjson") {
    let line = 0;
    let start = 0;
    let count = 0;
    while (start <= text.length) {
      let end = text.indexOf("\n", start);
      if (end === -1) end = text.length;
      line++;
      const raw = text.slice(start, end).trim();
      start = end + 1;
      if (raw === "") continue;
      if (++count > MAX_IMPORT_ROWS) throw tooMany();
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        errors.push({ line, message: "not valid JSON" });
        continue;
      }
      fromObject(value, line, rows, errors);
    }
    return { rows, errors };
  }
  return parseCsv(text);
}

const HEADERS: Record<string, (keyof RawRow)[]> = {
  "url,imageid": ["url", "imageId"],
  "url,image_id": ["url", "imageId"],
  "source,key,imageid": ["source", "key", "imageId"],
  "source,key,image_id": ["source", "key", "imageId"],
};

/**
 * CSV: `url,imageId` (or `source,key,imageId`), header optional. Lines are physical lines of the
 * file, so a row whose quoted field spans lines reports the line it starts on.
 */
function parseCsv(raw: string): { rows: RawRow[]; errors: RowError[] } {
  const rows: RawRow[] = [];
  const errors: RowError[] = [];
  let columns: (keyof RawRow)[] | null = null;
  let first = true;
  let count = 0;
  parseCsvRecords(raw, (fields, at, malformed) => {
    if (first) {
      first = false;
      const header = HEADERS[fields.map((f) => f.trim().toLowerCase()).join(",")];
      if (header) {
        columns = header;
        return;
      }
    }
    if (++count > MAX_IMPORT_ROWS) throw tooMany();
    if (malformed) {
      errors.push({ line: at, message: `malformed CSV: ${malformed}` });
      return;
    }
    const cols = columns ?? (fields.length === 3 ? HEADERS["source,key,imageid"]! : HEADERS["url,imageid"]!);
    if (fields.length !== cols.length) {
      errors.push({
        line: at,
        message: `expected ${cols.length} columns (${cols.join(",")}), found ${fields.length}`,
      });
      return;
    }
    const row: RawRow = { line: at };
    cols.forEach((c, i) => ((row as unknown as Record<string, string>)[c] = fields[i]!.trim()));
    rows.push(row);
  });
  return { rows, errors };
}

/**
 * CSV records (RFC 4180, parsed by d3-dsv), each with its fields and the physical 1-based line it
 * starts on: a record whose quoted field spans lines moves the count by its line ends. Blank lines
 * are skipped. A quoted field that is never closed swallows the rest of the file into the last
 * record, which is reported malformed. d3-dsv is lenient where RFC 4180 is strict (text after a
 * closing quote starts another field): such a record then fails its column or field checks.
 */
export function parseCsvRecords(
  raw: string,
  onRecord: (fields: string[], line: number, malformed: string | null) => void,
): void {
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw; // a BOM is not data
  const records = csvParseRows(text);
  // d3-dsv reads an unclosed quoted field to the end of the text as the last record's last field:
  // the text then ends with an opening quote and that field, not with a closing quote.
  const tail = text.replace(/[\r\n]+$/, "");
  const last = records.at(-1)?.at(-1) ?? "";
  const unclosed =
    !tail.endsWith('"') && (tail.endsWith(`"${last}`) || tail.endsWith(`"${last.replace(/"/g, '""')}`));
  let line = 1;
  records.forEach((fields, i) => {
    const start = line;
    line += 1;
    for (const f of fields) line += f.match(LINE_ENDS)?.length ?? 0;
    if (fields.length === 1 && fields[0]!.trim() === "") return; // a blank line
    const malformed = unclosed && i === records.length - 1 ? "a quoted field is not closed" : null;
    onRecord(fields, start, malformed);
  });
}
