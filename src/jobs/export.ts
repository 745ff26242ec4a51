import * as z from "zod/mini";
import { getDb, nowIso } from "../db/client";
import { readyMappingsAfter } from "../db/export";
import { activeJobOnPrefix, advanceStep, finishJob, getJob, insertItems, patchJobOutput } from "../db/jobs";
import { listSources } from "../db/sources";
import { apiError } from "../errors";
import { validate } from "../http/body";
import { callImages } from "../images/binding";
import { SNIFF_BYTES, sniffImage, contentTypeOf, type ImageFormat } from "../ingest/sniff";
import {
  CANCELLED,
  type ItemOutcome,
  type ItemWork,
  type JobKind,
  type JobPlan,
  type StepContext,
} from "./kind";
import {
  type ExportedImageMeta,
  exportsBucket,
  imageKey,
  MANIFEST_FORMAT,
  type Manifest,
  manifestKey,
  normalizePrefix,
  partKey,
  sourcesKey,
} from "./layout";
import { type JobMessage, sendMessages } from "./messages";

/**
 * export: every image to R2 with its metadata, then every ready mapping as importable NDJSON
 * parts, then the manifest. One page of the image list per message (the next page is its own
 * message, never a loop inside one invocation); one image per item, copied by streaming (never
 * buffered whole) and skipped when R2 has it already, so a re-run into the same prefix copies only
 * what is missing and a failed image is retried on its own instead of stopping the export.
 */
/** Images per list call: a page is one message, its items are sent in sendBatch chunks. */
const PAGE_SIZE = 1000;
/** Mappings per part: well within what one POST /_admin/mappings/import takes (100 000 rows). */
export const PART_ROWS = 10_000;

const exportBody = z.object({ prefix: z.optional(z.string("must be a string")) });

export const exportKind: JobKind = {
  async plan(env, request): Promise<JobPlan> {
    const body = validate(exportBody, request.body);
    exportsBucket(env);
    const prefix = normalizePrefix(body.prefix ?? `export/${new Date().toISOString().slice(0, 10)}/`);
    const busy = await activeJobOnPrefix(getDb(env, "primary"), "export", prefix);
    if (busy) throw apiError("job_conflict", `Job ${busy.id} is already exporting to '${prefix}'`);
    return { params: { prefix }, first: { s: "list", n: 0 } };
  },
  item: copyImage,
  steps: { list: listPage, mappings: writePart },
  afterItems: { stage: "mappings", step: "mappings" },
};

/** Lists one page of images, makes them items, enqueues them and the next page. */
async function listPage({ env, job, message, listed }: StepContext): Promise<void> {
  const n = message.n ?? 0;
  if (Number(job.output.pages ?? 0) > n) return; // delivered twice: the chain went on already
  const db = getDb(env, "primary");
  const page = await callImages("list", () =>
    env.IMAGES.hosted.list({ limit: PAGE_SIZE, cursor: message.c, sortOrder: "asc" }),
  );
  const pending = await insertItems(
    db,
    job.id,
    page.images.map((img) => ({ ref: img.id, line: null, input: { id: img.id }, state: "pending" as const })),
  );
  const byId = new Map(page.images.map((img) => [img.id, img]));
  const bodies: JobMessage[] = pending.map((p) => ({ j: job.id, i: p.id, d: describe(byId.get(p.ref)) }));
  const more = Boolean(page.cursor) && !page.listComplete && page.images.length > 0;
  if (more) bodies.push({ j: job.id, s: "list", c: page.cursor, n: n + 1 });
  await sendMessages(env.JOBS, bodies);
  await advanceStep(db, job.id, "pages", n);
  if (!more) await listed();
}

/** What the list said about an image, carried in its item message (so no second lookup). */
function describe(img: ImageMetadata | undefined): Record<string, unknown> | undefined {
  if (!img) return undefined;
  const { filename, meta, requireSignedURLs, uploaded, creator } = img;
  return { filename, meta, requireSignedURLs, uploaded, creator };
}

async function copyImage(w: ItemWork): Promise<ItemOutcome> {
  const bucket = exportsBucket(w.env);
  const id = String(w.item.input.id);
  const key = await imageKey(String(w.job.params.prefix), id);
  const handle = w.env.IMAGES.hosted.image(id);
  const gone: ItemOutcome = {
    state: "skipped",
    reason: "image_gone",
    error: "the image was deleted after it was listed",
  };
  // R2 stores a stream only when its length is known, and the binding's stream does not say: read
  // it once to learn length, digest and format (while R2 says whether the copy exists already),
  // then stream it again through a FixedLengthStream. Two reads, never the whole image in memory,
  // and R2 checks the digest of what it stored.
  const reading = callImages("bytes", () => handle.bytes());
  reading.catch(() => undefined);
  const there = await bucket.head(key);
  if (there || !(await w.active())) {
    await (await reading.catch(() => null))?.cancel();
    return there
      ? { state: "skipped", reason: "already_exported", result: key, bytes: there.size }
      : CANCELLED;
  }
  try {
    const d =
      (w.message.d as Partial<ImageMetadata> | undefined) ??
      (await callImages("details", () => handle.details()));
    const first = await reading;
    if (!d || !first) {
      await first?.cancel();
      return gone;
    }
    const facts = await measure(first);
    const second = await callImages("bytes", () => handle.bytes());
    if (!second) return gone;
    const meta: ExportedImageMeta = {
      id,
      requireSignedURLs: d.requireSignedURLs ? "true" : "false",
      sha256: facts.sha256,
      ...(d.filename ? { filename: d.filename } : {}),
      ...(d.meta && Object.keys(d.meta).length ? { metadata: JSON.stringify(d.meta) } : {}),
      ...(d.uploaded ? { uploaded: d.uploaded } : {}),
      ...(d.creator ? { creator: d.creator } : {}),
    };
    const fixed = new FixedLengthStream(facts.bytes);
    const pumped = second.pipeTo(fixed.writable);
    const put = bucket.put(key, fixed.readable, {
      httpMetadata: { contentType: facts.contentType },
      customMetadata: { ...meta },
      sha256: facts.sha256,
    });
    await Promise.all([put, pumped]);
    return { state: "succeeded", result: key, bytes: facts.bytes };
  } catch (err) {
    return { state: "failed", reason: "copy_error", error: errorText(err), retry: true };
  }
}

/** Reads a stream through: its length, SHA-256 and (from the first bytes) content type. */
async function measure(stream: ReadableStream<Uint8Array>) {
  const digest = new crypto.DigestStream("SHA-256");
  const writer = digest.getWriter();
  const reader = stream.getReader();
  let bytes = 0;
  let head = new Uint8Array(0);
  let format: ImageFormat | null | undefined;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (format === undefined) {
      const grown = new Uint8Array(Math.min(SNIFF_BYTES, head.length + value.byteLength));
      grown.set(head);
      grown.set(value.subarray(0, grown.length - head.length), head.length);
      head = grown;
      format = sniffImage(head, head.length >= SNIFF_BYTES);
    }
    await writer.write(value);
  }
  await writer.close();
  format ??= sniffImage(head, true);
  const sha256 = [...new Uint8Array(await digest.digest)]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");
  return { bytes, sha256, contentType: contentTypeOf(format) };
}

interface Part {
  key: string;
  rows: number;
  bytes: number;
}

/** Writes one part of the ready mappings (and, first, the sources); after the last, the manifest. */
async function writePart({ env, job, message }: StepContext): Promise<void> {
  const n = message.n ?? 0;
  if (Number(job.output.partsWritten ?? 0) > n) return;
  const db = getDb(env, "primary");
  const bucket = exportsBucket(env);
  const prefix = String(job.params.prefix);
  if (n === 0) {
    const sources = await listSources(db);
    await bucket.put(sourcesKey(prefix), JSON.stringify(sources, null, 1), {
      httpMetadata: { contentType: "application/json" },
    });
    await patchJobOutput(db, job.id, { sources: sources.length });
  }
  const rows = await readyMappingsAfter(db, message.a ?? 0, PART_ROWS);
  const parts = ((job.output.parts as Part[] | undefined) ?? []).slice(0, n);
  if (rows.length > 0) {
    const text =
      rows.map((r) => JSON.stringify({ source: r.source, key: r.key, imageId: r.imageId })).join("\n") + "\n";
    const key = partKey(prefix, n);
    const put = await bucket.put(key, text, { httpMetadata: { contentType: "application/x-ndjson" } });
    parts.push({ key, rows: rows.length, bytes: put.size });
  }
  const mappingRows = parts.reduce((a, p) => a + p.rows, 0);
  await patchJobOutput(db, job.id, { parts, mappingRows });
  if (rows.length === PART_ROWS) {
    await sendMessages(env.JOBS, [{ j: job.id, s: "mappings", n: n + 1, a: rows.at(-1)!.id }]);
    await advanceStep(db, job.id, "partsWritten", n);
    return;
  }
  const now = (await getJob(db, job.id)) ?? job;
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    version: 1,
    jobId: job.id,
    prefix,
    createdAt: nowIso(),
    images: {
      total: now.total,
      exported: now.succeeded,
      skipped: now.skipped,
      failed: now.failed,
      bytes: now.bytes,
    },
    mappings: { rows: mappingRows, parts },
    sources: { key: sourcesKey(prefix), count: Number(now.output.sources ?? 0) },
  };
  await bucket.put(manifestKey(prefix), JSON.stringify(manifest, null, 1), {
    httpMetadata: { contentType: "application/json" },
  });
  await finishJob(db, job.id, { manifest: manifestKey(prefix), partsWritten: n + 1 });
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 500);
