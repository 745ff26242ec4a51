import { apiError } from "../errors";
import { parseCsvRecords } from "../import/rows";

/**
 * The item lists of backfill and refresh jobs, as operators send them: a JSON body (`{urls}` or
 * `{source, keys}`), or one-URL-a-line text, CSV (`url` or `source,key`, header optional) or
 * NDJSON (`"url"`, `{"url"}` or `{"source","key"}` a line). Pure: no I/O. A malformed line is an
 * entry with an error (an item error later), never a refused request.
 */
export interface RawEntry {
  /** 1-based physical line of the body (or element of the JSON array). */
  line: number;
  url?: string;
  source?: string;
  key?: string;
  error?: string;
}

export const MAX_JOB_ITEMS = 100_000;

export type ListFormat = "lines" | "csv" | "ndjson";

const FORMATS: Record<string, ListFormat> = {
  "text/plain": "lines",
  "text/uri-list": "lines",
  "text/csv": "csv",
  "application/x-ndjson": "ndjson",
  "application/ndjson": "ndjson",
  "application/jsonl": "ndjson",
};

/** `json` for a JSON body, a list format, or null for anything else. */
export function bodyFormatOf(contentType: string | null): ListFormat | "json" | null {
  const type = (contentType ?? "application/json").split(";")[0]!.trim().toLowerCase();
  if (type === "application/json") return "json";
  return FORMATS[type] ?? null;
}

const tooMany = () => apiError("payload_too_large", `At most ${MAX_JOB_ITEMS} items a job`);

/** Entries of a text list; `source` (from `?source=`) makes bare lines keys of that source. */
export function parseItemList(text: string, format: ListFormat, source?: string): RawEntry[] {
  const out: RawEntry[] = [];
  const push = (e: RawEntry) => {
    if (out.length >= MAX_JOB_ITEMS) throw tooMany();
    out.push(e);
  };
  const bare = (line: number, value: string): RawEntry =>
    source !== undefined ? { line, source, key: value } : { line, url: value.trim() };

  if (format === "csv") {
    let first = true;
    let columns: "url" | "key" | "source,key" | null = null;
    parseCsvRecords(text, (fields, line, malformed) => {
      const header = fields.map((f) => f.trim().toLowerCase()).join(",");
      if (first) {
        first = false;
        if (header === "url" || header === "key" || header === "source,key") {
          columns = header;
          return;
        }
      }
      if (malformed) return push({ line, error: `malformed CSV: ${malformed}` });
      const want = columns ?? (fields.length === 2 ? "source,key" : "url");
      if (want === "source,key") {
        if (fields.length !== 2)
          return push({ line, error: `expected 2 columns (source,key), found ${fields.length}` });
        return push({ line, source: fields[0]!.trim(), key: fields[1]! });
      }
      if (fields.length !== 1)
        return push({ line, error: `expected 1 column (${want}), found ${fields.length}` });
      if (want === "key") {
        if (source === undefined) return push({ line, error: "source: give ?source= for a list of keys" });
        return push({ line, source, key: fields[0]! });
      }
      push(bare(line, fields[0]!));
    });
    return out;
  }

  let line = 0;
  for (let start = 0; start <= text.length;) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    line++;
    let raw = text.slice(start, end);
    start = end + 1;
    if (raw.endsWith("\r")) raw = raw.slice(0, -1);
    if (line === 1 && raw.charCodeAt(0) === 0xfeff) raw = raw.slice(1);
    if (raw.trim() === "") continue;
    if (format === "lines") {
      push(bare(line, raw));
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      push({ line, error: "not valid JSON" });
      continue;
    }
    push(fromValue(value, line, source));
  }
  return out;
}

function fromValue(value: unknown, line: number, source?: string): RawEntry {
  if (typeof value === "string") {
    return source !== undefined ? { line, source, key: value } : { line, url: value };
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { line, error: 'expected a URL string or an object {"url"} or {"source","key"}' };
  }
  const o = value as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (k !== "url" && k !== "source" && k !== "key") return { line, error: `${k}: unknown field` };
  }
  for (const k of ["url", "source", "key"] as const) {
    if (o[k] !== undefined && typeof o[k] !== "string") return { line, error: `${k}: must be a string` };
  }
  if (o.url !== undefined) {
    if (o.source !== undefined || o.key !== undefined)
      return { line, error: "url: give either url, or source and key" };
    return { line, url: o.url as string };
  }
  const src = (o.source as string | undefined) ?? source;
  if (src === undefined) return { line, error: "source: is required with key" };
  if (o.key === undefined) return { line, error: "key: is required" };
  return { line, source: src, key: o.key as string };
}

/** Entries of a JSON body: `{urls: [...]}` or `{source, keys: [...]}` (elements numbered from 1). */
export function entriesFromJson(body: { urls?: unknown[]; keys?: unknown[]; source?: string }): RawEntry[] {
  const list = body.urls ?? body.keys ?? [];
  if (list.length > MAX_JOB_ITEMS) throw tooMany();
  return list.map((v, i) => {
    if (typeof v !== "string") return { line: i + 1, error: "must be a string" };
    return body.urls ? { line: i + 1, url: v } : { line: i + 1, source: body.source, key: v };
  });
}
