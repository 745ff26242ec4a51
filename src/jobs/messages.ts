/**
 * Messages on the JOBS queue. Small on purpose: an item message names the item (its input lives in
 * D1), a step message names a step of the job's own work and where it is.
 */
export interface ItemMessage {
  /** Job id. */
  j: number;
  /** Item id. */
  i: number;
  /** What the lister already knew about the item (export: the image's details). */
  d?: Record<string, unknown>;
}

export interface StepMessage {
  j: number;
  /** Step name, e.g. `list` or `mappings`. */
  s: string;
  /** Continuation token of the page to list. */
  c?: string;
  /** Sequence number of this step's message (page, part), from 0. */
  n?: number;
  /** Last row id written by the previous step message. */
  a?: number;
}

export type JobMessage = ItemMessage | StepMessage;

export const isStep = (m: JobMessage): m is StepMessage => "s" in m;

/** A body this Worker could have sent; anything else on the queue is acknowledged and logged. */
export function isJobMessage(body: unknown): body is JobMessage {
  if (body === null || typeof body !== "object") return false;
  const m = body as Record<string, unknown>;
  return Number.isSafeInteger(m.j) && (Number.isSafeInteger(m.i) || typeof m.s === "string");
}

/**
 * Queue limits (developers.cloudflare.com/queues/platform/limits): a sendBatch carries at most 100
 * messages and 256 KB, each message counting ~100 bytes of metadata besides its body.
 */
const MAX_BATCH_MESSAGES = 100;
const MAX_BATCH_BYTES = 250_000;
const MESSAGE_OVERHEAD = 100;
/** sendBatch calls in flight at once (each is a subrequest; 6 = the open-connection limit). */
const PARALLEL_SENDS = 6;

const encoder = new TextEncoder();

/** Splits bodies into sendBatch-sized chunks, by count and by bytes. */
export function chunkMessages(bodies: JobMessage[]): JobMessage[][] {
  const chunks: JobMessage[][] = [];
  let chunk: JobMessage[] = [];
  let bytes = 0;
  for (const body of bodies) {
    const size = encoder.encode(JSON.stringify(body)).byteLength + MESSAGE_OVERHEAD;
    if (chunk.length > 0 && (chunk.length >= MAX_BATCH_MESSAGES || bytes + size > MAX_BATCH_BYTES)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(body);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

/** Enqueues every body, in sendBatch chunks within the Queue's limits, a few chunks at a time. */
export async function sendMessages(
  queue: Queue,
  bodies: JobMessage[],
  opts: { delaySeconds?: number } = {},
): Promise<void> {
  const chunks = chunkMessages(bodies);
  let next = 0;
  const worker = async () => {
    while (next < chunks.length) {
      const chunk = chunks[next++]!;
      await queue.sendBatch(
        chunk.map((body) => ({ body, contentType: "json" as const })),
        opts.delaySeconds ? { delaySeconds: opts.delaySeconds } : undefined,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_SENDS, chunks.length) }, worker));
}
