import { type ImageFormat, SNIFF_BYTES, sniffImage, contentTypeOf } from "../../ingest/sniff";
import type { AdminHandler } from "../types";
import { callImages, imageNotFound } from "../../images/binding";
import { imageIdParam } from "./id";

/**
 * GET /images/v1/:id/blob — the original bytes, streamed, with a content type told from their first
 * bytes (application/octet-stream when they are none of Images' formats). An SVG is served with a
 * sandboxing CSP so opening it from the admin origin cannot run its scripts.
 */
export const imageBlobRoute: AdminHandler = async (req, env) => {
  const id = imageIdParam(req.params.id);
  const bytes = await callImages("bytes", () => env.IMAGES.hosted.image(id).bytes());
  if (!bytes) throw imageNotFound(id);
  const { format, body } = await peekFormat(bytes);
  return new Response(body, {
    headers: {
      "content-type": contentTypeOf(format),
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    },
  });
};

/** Reads just enough to recognise the format, then replays those bytes before the rest. */
async function peekFormat(
  source: ReadableStream<Uint8Array>,
): Promise<{ format: ImageFormat | null; body: ReadableStream<Uint8Array> }> {
  const reader = source.getReader();
  const chunks: Uint8Array[] = [];
  let head = new Uint8Array(0);
  let done = false;
  let format: ImageFormat | null | undefined;
  while (format === undefined) {
    const next = await reader.read();
    done = next.done;
    if (next.value) {
      chunks.push(next.value);
      const joined = new Uint8Array(head.byteLength + next.value.byteLength);
      joined.set(head);
      joined.set(next.value, head.byteLength);
      head = joined;
    }
    format = sniffImage(head, done || head.byteLength >= SNIFF_BYTES);
  }
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(c);
      if (done) controller.close();
    },
    async pull(controller) {
      const next = await reader.read();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return { format, body };
}
