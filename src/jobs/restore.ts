import * as z from "zod/mini";
import { getDb, nowIso } from "../db/client";
import { bulkPutMappings } from "../db/import";
import {
  activeJobOnPrefix,
  advanceStep,
  finishJob,
  insertItems,
  itemsByRef,
  patchJobOutput,
} from "../db/jobs";
import { insertSource } from "../db/sources";
import { apiError } from "../errors";
import { validate } from "../http/body";
import { callImages, imageDetails } from "../images/binding";
import { prepareRows } from "../import/prepare";
import { parseRows, type RawRow, type RowError } from "../import/rows";
import { sourceInput } from "../sources/schema";
import {
  CANCELLED,
  type ItemOutcome,
  type ItemWork,
  type JobKind,
  type JobPlan,
  type StepContext,
} from "./kind";
import { exportsBucket, imagesPrefix, manifestKey, normalizePrefix, readManifest } from "./layout";
import { type JobMessage, sendMessages } from "./messages";

/**
 * restore: the way back from an export. Sources that no longer exist are recreated, every exported
 * image missing from Images is uploaded again (same id and metadata, streamed from R2; a private
 * image cannot have a custom id, so it gets a new one and its mappings follow it), then the
 * mapping parts are imported (upsert). Images already in Images are left alone, so it can be re-run.
 */
/** Objects per R2 list call (R2's maximum). */
const PAGE_SIZE = 1000;
/** Errors of the mapping import kept in the job's output (the counts are always complete). */
const MAX_REPORTED_ERRORS = 100;
const VERIFY_CONCURRENCY = 16;

const restoreBody = z.object({ prefix: z.string("is required") });

export const restoreKind: JobKind = {
  async plan(env, request): Promise<JobPlan> {
    const body = validate(restoreBody, request.body);
    const bucket = exportsBucket(env);
    const prefix = normalizePrefix(body.prefix);
    const manifest = await bucket.get(manifestKey(prefix));
    if (!manifest) {
      throw apiError("export_not_found", `No manifest.json under '${prefix}': not a finished export`);
    }
    const { parts, sources } = readManifest(await manifest.text());
    const busy = await activeJobOnPrefix(getDb(env, "primary"), "restore", prefix);
    if (busy) throw apiError("job_conflict", `Job ${busy.id} is already restoring '${prefix}'`);
    return { params: { prefix, parts, sources }, first: { s: "list", n: 0 } };
  },
  item: restoreImage,
  steps: { list: listPage, mappings: importPart },
  afterItems: { stage: "mappings", step: "mappings" },
};

async function listPage({ env, job, message, listed }: StepContext): Promise<void> {
  const n = message.n ?? 0;
  if (Number(job.output.pages ?? 0) > n) return;
  const db = getDb(env, "primary");
  const bucket = exportsBucket(env);
  const base = imagesPrefix(String(job.params.prefix));
  if (n === 0) await restoreSources(env, job.id, bucket, job.params.sources as string | null);
  const page = await bucket.list({
    prefix: base,
    cursor: message.c,
    limit: PAGE_SIZE,
    include: ["customMetadata"],
  });
  const pending = await insertItems(
    db,
    job.id,
    page.objects.map((o) => ({
      ref: o.customMetadata?.id ?? o.key.slice(base.length),
      line: null,
      input: { key: o.key },
      state: "pending" as const,
    })),
  );
  const bodies: JobMessage[] = pending.map((p) => ({ j: job.id, i: p.id }));
  if (page.truncated) bodies.push({ j: job.id, s: "list", c: page.cursor, n: n + 1 });
  await sendMessages(env.JOBS, bodies);
  await advanceStep(db, job.id, "pages", n);
  if (!page.truncated) await listed();
}

/** Creates the exported sources that do not exist (existing ones are never changed). */
async function restoreSources(env: Env, jobId: number, bucket: R2Bucket, key: string | null): Promise<void> {
  const obj = key ? await bucket.get(key) : null;
  if (!obj) return;
  let list: unknown;
  try {
    list = JSON.parse(await obj.text());
  } catch {
    list = null;
  }
  const result = { created: 0, existing: 0, invalid: 0 };
  const db = getDb(env, "primary");
  for (const raw of Array.isArray(list) ? list : []) {
    const { createdAt, updatedAt, ...fields } = (raw ?? {}) as Record<string, unknown>;
    const parsed = sourceInput.safeParse(fields);
    if (!parsed.success) {
      result.invalid++;
      continue;
    }
    const now = nowIso();
    const stored = await insertSource(db, {
      ...parsed.data,
      createdAt: typeof createdAt === "string" ? createdAt : now,
      updatedAt: typeof updatedAt === "string" ? updatedAt : now,
    });
    result[stored ? "created" : "existing"]++;
  }
  await patchJobOutput(db, jobId, { sources: result });
}

async function restoreImage(w: ItemWork): Promise<ItemOutcome> {
  const bucket = exportsBucket(w.env);
  const obj = await bucket.get(String(w.item.input.key));
  if (!obj)
    return { state: "failed", reason: "not_in_export", error: "the object is no longer in the export" };
  const meta = obj.customMetadata ?? {};
  const id = meta.id ?? w.item.ref;
  const signed = meta.requireSignedURLs === "true";
  if (await imageDetails(w.env, id)) {
    await obj.body.cancel();
    return { state: "skipped", reason: "already_in_images", result: id };
  }
  if (!(await w.active())) {
    await obj.body.cancel();
    return CANCELLED;
  }
  let metadata: Record<string, unknown> | undefined;
  try {
    metadata = meta.metadata ? (JSON.parse(meta.metadata) as Record<string, unknown>) : undefined;
  } catch {
    metadata = undefined;
  }
  try {
    const uploaded = await callImages("upload", () =>
      w.env.IMAGES.hosted.upload(obj.body, {
        ...(signed ? {} : { id }),
        ...(meta.filename ? { filename: meta.filename } : {}),
        ...(metadata ? { metadata } : {}),
        ...(meta.creator ? { creator: meta.creator } : {}),
        requireSignedURLs: signed,
      }),
    );
    return { state: "succeeded", result: uploaded.id, bytes: obj.size };
  } catch (err) {
    // Another restore may have put it back meanwhile: then it is there, and good.
    if (!signed && (await imageDetails(w.env, id).catch(() => null))) {
      return { state: "skipped", reason: "already_in_images", result: id };
    }
    return { state: "failed", reason: "upload_error", error: errorText(err), retry: true };
  }
}

interface ImportTotals {
  created: number;
  updated: number;
  failed: number;
  errors: { part: string; line: number; message: string }[];
}

/** Imports one mapping part (upsert), pointing rows at the ids their images were restored under. */
async function importPart({ env, job, message }: StepContext): Promise<void> {
  const n = message.n ?? 0;
  if (Number(job.output.partsImported ?? 0) > n) return;
  const db = getDb(env, "primary");
  const parts = (job.params.parts as string[] | undefined) ?? [];
  const totals: ImportTotals = {
    created: 0,
    updated: 0,
    failed: 0,
    errors: [],
    ...(job.output.mappings as Partial<ImportTotals> | undefined),
  };
  const key = parts[n];
  if (key !== undefined) {
    const obj = await exportsBucket(env).get(key);
    const errors: RowError[] = [];
    if (!obj) errors.push({ line: 0, message: "the part is missing from the export" });
    else {
      const parsed = parseRows(await obj.text(), "ndjson");
      errors.push(...parsed.errors);
      const rows = await prepareRows(
        env,
        await followImages(env, job.id, parsed.rows, errors),
        errors,
        false,
      );
      const { outcomes, failed } = await bulkPutMappings(db, rows, "upsert", nowIso());
      for (const o of outcomes) if (o !== "untouched") totals[o]++;
      for (const [i, message] of failed) errors.push({ line: rows[i]!.line, message });
    }
    totals.failed += errors.length;
    errors.sort((a, b) => a.line - b.line);
    for (const e of errors.slice(0, MAX_REPORTED_ERRORS - totals.errors.length))
      totals.errors.push({ part: key, ...e });
    await patchJobOutput(db, job.id, { mappings: totals });
  }
  if (n + 1 < parts.length) {
    await sendMessages(env.JOBS, [{ j: job.id, s: "mappings", n: n + 1 }]);
    await advanceStep(db, job.id, "partsImported", n);
    return;
  }
  await finishJob(db, job.id, { partsImported: parts.length });
}

/**
 * Rows keep the image id they were exported with unless the restore uploaded that image under a
 * new id (private images); a row whose image neither came back nor is in Images is an error.
 */
async function followImages(env: Env, jobId: number, rows: RawRow[], errors: RowError[]): Promise<RawRow[]> {
  const ids = [...new Set(rows.map((r) => r.imageId ?? ""))];
  const items = new Map((await itemsByRef(getDb(env, "primary"), jobId, ids)).map((i) => [i.ref, i]));
  const unknown = ids.filter((id) => !items.has(id));
  const absent = new Set<string>();
  let next = 0;
  const worker = async () => {
    while (next < unknown.length) {
      const id = unknown[next++]!;
      if (id && !(await imageDetails(env, id))) absent.add(id);
    }
  };
  await Promise.all(Array.from({ length: Math.min(VERIFY_CONCURRENCY, unknown.length) }, worker));
  const kept: RawRow[] = [];
  for (const r of rows) {
    const item = items.get(r.imageId ?? "");
    if (item && item.state !== "succeeded" && item.state !== "skipped") {
      errors.push({
        line: r.line,
        message: `imageId: image '${r.imageId}' was not restored (${item.reason ?? item.state})`,
      });
    } else if (!item && absent.has(r.imageId ?? "")) {
      errors.push({
        line: r.line,
        message: `imageId: image '${r.imageId}' is neither in the export nor in Images`,
      });
    } else kept.push(item?.result ? { ...r, imageId: item.result } : r);
  }
  return kept;
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 500);
