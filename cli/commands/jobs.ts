import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import type { Client } from "../client.ts";
import type { Context } from "../context.ts";
import { chunkFile, contentTypeOf, countRecords, csvField, formatOf } from "../files.ts";
import { bytes, duration, fmt, type Output, table } from "../output.ts";
import { positive } from "./import.ts";

export interface Job {
  id: number;
  type: string;
  state: "queued" | "running" | "done" | "failed" | "cancelled";
  stage: string;
  total: number;
  succeeded: number;
  failed: number;
  skipped: number;
  bytes: number;
  params: Record<string, unknown>;
  output: Record<string, unknown>;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

interface Item {
  id: number;
  line: number | null;
  input: Record<string, unknown>;
  state: string;
  reason: string | null;
  error: string | null;
  result: string | null;
}

const SETTLED = new Set(["done", "failed", "cancelled"]);
/** The job API takes up to 100 000 items a request: bigger files become several jobs. */
const MAX_ITEMS_PER_JOB = 100_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function registerJobs(program: Command, context: () => Context): void {
  for (const type of ["backfill", "refresh"] as const) {
    program
      .command(`${type} <file>`)
      .description(
        type === "backfill"
          ? "migrate the listed assets now (legacy URLs one a line, CSV, NDJSON; `-` reads stdin) and follow the job"
          : "re-check the listed assets against their origin and follow the job",
      )
      .option("--source <id>", "the file lists keys of this source instead of URLs")
      .option("--format <format>", "lines | csv | ndjson (default: from the file name, else lines)")
      .option("--detach", "create the job(s) and print them without following")
      .option("--interval <ms>", "how often to poll the job", "1000")
      .action(async (file: string, o: Record<string, string | boolean | undefined>) => {
        const ctx = context();
        ctx.exit(await assetJobs(ctx, type, file, o));
      });
  }
  program
    .command("export")
    .description("copy every image and mapping to the EXPORTS bucket (a rollback point) and follow the job")
    .option("--prefix <prefix>", "where in the bucket (default export/<date>/)")
    .option("--detach", "create the job and print it without following")
    .option("--interval <ms>", "how often to poll the job", "1000")
    .action(async (o: Record<string, string | boolean | undefined>) => {
      const ctx = context();
      ctx.exit(await singleJob(ctx, { type: "export", ...(o.prefix ? { prefix: o.prefix } : {}) }, o));
    });
  program
    .command("restore")
    .description("bring back the images and mappings of an export and follow the job")
    .requiredOption("--prefix <prefix>", "the export's prefix in the bucket")
    .option("--detach", "create the job and print it without following")
    .option("--interval <ms>", "how often to poll the job", "1000")
    .action(async (o: Record<string, string | boolean | undefined>) => {
      const ctx = context();
      ctx.exit(await singleJob(ctx, { type: "restore", prefix: o.prefix }, o));
    });
  program
    .command("jobs [id]")
    .description("list recent jobs, or show one (--watch follows it until it settles)")
    .option("--watch", "follow the job with a progress bar until it settles")
    .option(
      "--items <state>",
      "also list the job's items in this state (failed, skipped, succeeded, pending)",
    )
    .option("--state <state>", "list only jobs in this state")
    .option("--type <type>", "list only jobs of this type")
    .option("--limit <n>", "jobs to list", "20")
    .option("--interval <ms>", "how often to poll the job", "1000")
    .action(async (id: string | undefined, o: Record<string, string | boolean | undefined>) => {
      const ctx = context();
      ctx.exit(await jobsCommand(ctx, id, o));
    });
}

async function assetJobs(
  ctx: Context,
  type: "backfill" | "refresh",
  file: string,
  o: Record<string, string | boolean | undefined>,
): Promise<number> {
  const { client, out } = ctx;
  const format = formatOf(file, o.format as string | undefined, "lines");
  if (format === "json") throw new Error("--format: a list is lines, csv or ndjson");
  const isHeader =
    format === "csv"
      ? (l: string) => ["url", "key", "source,key"].includes(l.trim().toLowerCase())
      : undefined;
  const options = { size: MAX_ITEMS_PER_JOB, fromLine: 1, csv: format === "csv", isHeader };
  const { header, chunks } = await chunkFile(file, options);
  const created: { job: Job; lineOf: (l: number) => number }[] = [];
  for await (const chunk of chunks) {
    const offset = header ? 2 : 1;
    const res = await client.request<Job>("POST", "/jobs", {
      body: (header ? `${header}\n` : "") + chunk.lines.join("\n"),
      contentType: contentTypeOf(format),
      query: { type, source: o.source as string | undefined },
    });
    created.push({ job: res.result, lineOf: (l) => chunk.startLine + l - offset });
    out.note(`job ${res.result.id} (${type}): ${fmt(res.result.total)} items from line ${chunk.startLine}`);
  }
  if (created.length === 0) throw new Error(`${file}: no items`);
  if (o.detach) {
    out.result(
      created.map((c) => c.job),
      () => created.map((c) => describe(c.job)).join("\n"),
    );
    return 0;
  }
  const jobs = await followAll(
    client,
    out,
    created.map((c) => c.job),
    `${type} ${file}`,
    interval(o),
  );
  // Failed items, with the line of the file they came from, to stdout and <file>.errors.csv.
  const failures: { line: number | null; reason: string | null; error: string | null; input: string }[] = [];
  for (const [i, job] of jobs.entries()) {
    if (job.failed === 0) continue;
    for (const item of await allItems(client, job.id, "failed")) {
      failures.push({
        line: item.line === null ? null : created[i]!.lineOf(item.line),
        reason: item.reason,
        error: item.error,
        input: String(item.input.url ?? `${item.input.source}/${item.input.key}`),
      });
    }
  }
  const errorsFile = failures.length && file !== "-" ? `${file}.errors.csv` : null;
  if (errorsFile) {
    writeFileSync(
      errorsFile,
      "line,reason,error,input\n" +
        failures.map((f) => [f.line, f.reason, f.error, f.input].map(csvField).join(",")).join("\n") +
        "\n",
    );
  }
  out.result({ jobs, failed: failures, errorsFile }, () =>
    [
      ...jobs.map(summary),
      ...(failures.length
        ? [
            `  failed items${failures.length > 20 ? " (first 20)" : ""}:`,
            ...failures
              .slice(0, 20)
              .map((f) => `    line ${f.line ?? "?"}  ${f.reason}  ${f.error}  ${f.input}`),
            ...(errorsFile ? [`  all failed items → ${errorsFile}`] : []),
          ]
        : []),
    ].join("\n"),
  );
  return exitFor(jobs);
}

async function singleJob(
  ctx: Context,
  body: Record<string, unknown>,
  o: Record<string, string | boolean | undefined>,
) {
  const { client, out } = ctx;
  const job = (await client.request<Job>("POST", "/jobs", { json: body })).result;
  out.note(`job ${job.id} (${job.type}) → ${String(job.params.prefix ?? "")}`);
  if (o.detach) {
    out.result(job, () => describe(job));
    return 0;
  }
  const [settled] = await followAll(client, out, [job], String(body.type), interval(o));
  out.result(settled, () => summary(settled!));
  return exitFor([settled!]);
}

async function jobsCommand(
  ctx: Context,
  id: string | undefined,
  o: Record<string, string | boolean | undefined>,
) {
  const { client, out } = ctx;
  if (id === undefined) {
    const res = await client.get<Job[]>("/jobs", {
      state: o.state as string | undefined,
      type: o.type as string | undefined,
      limit: String(positive(o.limit, "--limit")),
    });
    out.result(res.result, () =>
      res.result.length === 0
        ? "no jobs"
        : table(
            res.result.map((j) => ({
              id: j.id,
              type: j.type,
              state: j.state,
              done: `${fmt(j.succeeded + j.failed + j.skipped)}/${fmt(j.total)}`,
              failed: fmt(j.failed),
              created: j.createdAt.replace("T", " ").slice(0, 19),
            })),
            ["id", "type", "state", "done", "failed", "created"],
          ),
    );
    return 0;
  }
  let job = (await client.get<Job>(`/jobs/${encodeURIComponent(id)}`)).result;
  if (o.watch && !SETTLED.has(job.state))
    job = (await followAll(client, out, [job], `job ${job.id}`, interval(o)))[0]!;
  const items = o.items ? await allItems(client, job.id, String(o.items)) : undefined;
  out.result(items ? { ...job, items } : job, () =>
    [
      o.watch ? summary(job) : describe(job),
      ...(items
        ? items.map(
            (i) =>
              `  line ${i.line ?? "—"}  ${i.state}  ${i.reason ?? ""}  ${i.error ?? ""}  ${JSON.stringify(i.input)}`,
          )
        : []),
    ].join("\n"),
  );
  return o.watch ? exitFor([job]) : 0;
}

/** Polls jobs until all settle, with one progress bar over their items. */
async function followAll(
  client: Client,
  out: Output,
  jobs: Job[],
  label: string,
  everyMs: number,
): Promise<Job[]> {
  let current = jobs;
  const bar = out.progress(
    label,
    "items",
    current.reduce((n, j) => n + j.total, 0),
  );
  for (;;) {
    current = await Promise.all(
      current.map(async (j) => (SETTLED.has(j.state) ? j : (await client.get<Job>(`/jobs/${j.id}`)).result)),
    );
    const total = current.reduce((n, j) => n + j.total, 0);
    const done = current.reduce((n, j) => n + j.succeeded + j.failed + j.skipped, 0);
    const failed = current.reduce((n, j) => n + j.failed, 0);
    const stage = current.some((j) => !SETTLED.has(j.state) && j.stage === "mappings") ? " | mappings" : "";
    bar.update(done, { total, detail: `${fmt(failed)} failed${stage}` });
    if (current.every((j) => SETTLED.has(j.state))) break;
    await sleep(everyMs);
  }
  bar.stop();
  return current;
}

async function allItems(client: Client, id: number, state: string): Promise<Item[]> {
  const items: Item[] = [];
  let cursor: string | undefined;
  do {
    const res = await client.get<Item[]>(`/jobs/${id}/items`, { state, cursor, limit: "1000" });
    items.push(...res.result);
    cursor = res.result_info?.cursor ?? undefined;
  } while (cursor);
  return items;
}

function describe(j: Job): string {
  return `job ${j.id} ${j.type} ${j.state}: ${fmt(j.succeeded + j.failed + j.skipped)}/${fmt(j.total)} settled (${fmt(j.succeeded)} succeeded, ${fmt(j.skipped)} skipped, ${fmt(j.failed)} failed)`;
}

function summary(j: Job): string {
  const took =
    j.startedAt && j.finishedAt
      ? ` in ${duration((Date.parse(j.finishedAt) - Date.parse(j.startedAt)) / 1000)}`
      : "";
  const lines = [
    `Job ${j.id} (${j.type}) ${j.state}${took}: ${fmt(j.total)} items — ${fmt(j.succeeded)} succeeded, ${fmt(j.skipped)} skipped, ${fmt(j.failed)} failed${j.bytes ? `, ${bytes(j.bytes)}` : ""}`,
  ];
  if (j.error) lines.push(`  error: ${j.error}`);
  if (typeof j.output.manifest === "string")
    lines.push(`  manifest: ${j.output.manifest} (${fmt(Number(j.output.mappingRows ?? 0))} mappings)`);
  const m = j.output.mappings as { created?: number; updated?: number; failed?: number } | undefined;
  if (m && typeof m === "object")
    lines.push(
      `  mappings: ${fmt(m.created ?? 0)} created, ${fmt(m.updated ?? 0)} updated, ${fmt(m.failed ?? 0)} failed`,
    );
  return lines.join("\n");
}

/** 0 only when every job is done with nothing failed (items, or a restore's mapping rows). */
const exitFor = (jobs: Job[]) =>
  jobs.every(
    (j) =>
      j.state === "done" &&
      j.failed === 0 &&
      !((j.output.mappings as { failed?: number } | undefined)?.failed ?? 0),
  )
    ? 0
    : 1;
const interval = (o: Record<string, unknown>) => positive(o.interval ?? "1000", "--interval");
