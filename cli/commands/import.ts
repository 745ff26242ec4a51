import { appendFileSync, existsSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { GatewayError } from "../client.ts";
import {
  type Chunk,
  chunkFile,
  contentTypeOf,
  countRecords,
  csvField,
  formatOf,
  readJsonArray,
} from "../files.ts";
import { fmt } from "../output.ts";
import type { Context } from "../context.ts";

interface ImportResult {
  created: number;
  updated: number;
  skipped: number;
  errors: { line: number; message: string }[];
}

/** Header lines the import API recognises (its own table, src/import/rows.ts). */
const IMPORT_HEADERS = new Set(["url,imageid", "url,image_id", "source,key,imageid", "source,key,image_id"]);
const isImportHeader = (line: string) =>
  IMPORT_HEADERS.has(
    line
      .split(",")
      .map((f) => f.trim().toLowerCase())
      .join(","),
  );

export function registerImport(program: Command, context: () => Context): void {
  program
    .command("import <file>")
    .description("bulk-import mappings from CSV (url,imageId or source,key,imageId), NDJSON or a JSON array")
    .option("--mode <mode>", "insert | upsert | skip-existing", "insert")
    .option("--verify", "check that every image exists (slow: one Images lookup per id)")
    .option("--batch <rows>", "rows per request (the API takes up to 100 000)", "5000")
    .option("--from-line <n>", "resume at this physical line of the file (1-based; the API's `line`)", "1")
    .option("--format <format>", "csv | ndjson | json (default: from the file name)")
    .action(async (file: string, o: Record<string, string | boolean | undefined>) => {
      const ctx = context();
      ctx.exit(await importFile(ctx, file, o));
    });
}

async function importFile(ctx: Context, file: string, o: Record<string, string | boolean | undefined>) {
  const { client, out } = ctx;
  const format = formatOf(file, o.format as string | undefined, "csv");
  if (format === "lines") throw new Error("--format: import takes csv, ndjson or json");
  const size = positive(o.batch, "--batch");
  const fromLine = positive(o.fromLine, "--from-line");
  const mode = String(o.mode);
  const errorsFile = `${file === "-" ? "stdin" : file}.errors.csv`;
  const started = Date.now();
  const totals = { rows: 0, created: 0, updated: 0, skipped: 0, failed: 0 };
  let errorsWritten = 0;
  const writeErrors = (rows: { line: number; message: string; row: string }[]) => {
    if (rows.length === 0) return;
    const text = rows.map((e) => [e.line, e.message, e.row].map(csvField).join(",")).join("\n") + "\n";
    // A resumed import (--from-line) adds to the rejects of the run it continues.
    if (errorsWritten === 0 && (fromLine === 1 || !existsSync(errorsFile))) {
      writeFileSync(errorsFile, `line,message,row\n${text}`);
    } else appendFileSync(errorsFile, text);
    errorsWritten += rows.length;
  };

  // Chunks of the file, each with how to turn the API's `line` back into the file's.
  type Sent = {
    body: string;
    rows: number;
    startLine: number;
    lineOf: (apiLine: number) => number;
    rowAt: (apiLine: number) => string;
  };
  let batches: AsyncGenerator<Sent> | Generator<Sent>;
  let expected = 0;
  if (format === "json") {
    const all = readJsonArray(file);
    expected = Math.max(0, all.length - (fromLine - 1));
    batches = (function* () {
      for (let start = fromLine - 1; start < all.length; start += size) {
        const slice = all.slice(start, start + size);
        yield {
          body: JSON.stringify(slice),
          rows: slice.length,
          startLine: start + 1,
          lineOf: (l: number) => start + l,
          rowAt: (l: number) => JSON.stringify(slice[l - 1] ?? null),
        };
      }
    })();
  } else {
    const options = {
      size,
      fromLine,
      csv: format === "csv",
      isHeader: format === "csv" ? isImportHeader : undefined,
    };
    expected = file === "-" ? 0 : await countRecords(file, options);
    const { header, chunks } = await chunkFile(file, options);
    batches = (async function* () {
      for await (const chunk of chunks) {
        const offset = header ? 2 : 1;
        yield {
          body: (header ? `${header}\n` : "") + chunk.lines.join("\n"),
          rows: chunk.records,
          startLine: chunk.startLine,
          lineOf: (l: number) => chunk.startLine + l - offset,
          rowAt: (l: number) => rowText(chunk, l - offset),
        };
      }
    })();
  }

  const bar = out.progress(`import ${file}`, "rows", expected);
  let resumeAt = fromLine;
  try {
    for await (const batch of batches) {
      resumeAt = batch.startLine;
      const res = await client.request<ImportResult>("POST", "/mappings/import", {
        body: batch.body,
        contentType: contentTypeOf(format),
        query: { mode, verify: o.verify ? "true" : undefined },
      });
      const r = res.result;
      totals.rows += batch.rows;
      totals.created += r.created;
      totals.updated += r.updated;
      totals.skipped += r.skipped;
      totals.failed += r.errors.length;
      writeErrors(
        r.errors.map((e) => ({ line: batch.lineOf(e.line), message: e.message, row: batch.rowAt(e.line) })),
      );
      bar.update(totals.rows, {
        total: Math.max(expected, totals.rows),
        detail: `${fmt(totals.failed)} rejected`,
      });
    }
  } catch (err) {
    bar.stop();
    if (!(err instanceof GatewayError)) throw err;
    const summary = {
      file,
      ...totals,
      errorsFile: errorsWritten ? errorsFile : null,
      resumeFromLine: resumeAt,
      error: err.message,
    };
    out.result(summary, () =>
      [
        `import stopped at line ${resumeAt}: ${err.message}`,
        `  ${fmt(totals.rows)} rows sent before it: ${fmt(totals.created)} created, ${fmt(totals.updated)} updated, ${fmt(totals.skipped)} skipped, ${fmt(totals.failed)} rejected`,
        `  resume with: --from-line ${resumeAt}`,
      ].join("\n"),
    );
    return 1;
  }
  bar.stop();
  const seconds = (Date.now() - started) / 1000;
  const summary = {
    file,
    ...totals,
    seconds: Number(seconds.toFixed(2)),
    rowsPerSecond: Math.round(totals.rows / Math.max(seconds, 0.001)),
    errorsFile: errorsWritten ? errorsFile : null,
  };
  out.result(summary, () =>
    [
      `Imported ${file}: ${fmt(totals.rows)} rows in ${fmt(seconds, 1)} s (${fmt(summary.rowsPerSecond)} rows/s)`,
      `  created ${fmt(totals.created)} · updated ${fmt(totals.updated)} · skipped ${fmt(totals.skipped)} · rejected ${fmt(totals.failed)}` +
        (errorsWritten ? ` → ${errorsFile}` : ""),
    ].join("\n"),
  );
  return totals.failed > 0 ? 1 : 0;
}

/** The text of the record at index `i` of a chunk (its first physical line, blank lines counted). */
function rowText(chunk: Chunk, i: number): string {
  return chunk.lines[i] ?? "";
}

export function positive(value: unknown, name: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name}: must be a positive integer`);
  return n;
}
