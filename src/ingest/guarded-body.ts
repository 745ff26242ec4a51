import { type ImageFormat, SNIFF_BYTES, sniffImage } from "./sniff";

export type Refusal = { reason: "not_an_image" | "too_large"; message: string };

export type OpenedBody =
  | {
      ok: true;
      format: ImageFormat;
      readable: ReadableStream<Uint8Array>;
      stats: { bytes: number; refusal: Refusal | null };
    }
  | { ok: false; refusal: Refusal };

const tooLarge = (max: number): Refusal => ({
  reason: "too_large",
  message: `the original is larger than ${max} bytes`,
});

/**
 * Reads just enough of an origin body to recognise an image format Images accepts (a few KiB at
 * most), so an HTML error page or a JSON body served with 200 is refused before any upload starts.
 * The returned stream replays those bytes and then streams the rest, counting bytes as they pass:
 * past `maxBytes` it errors (the upload then fails) and `stats.refusal` says why. The whole image
 * is never held in memory.
 */
export async function openImageBody(
  source: ReadableStream<Uint8Array>,
  maxBytes: number,
): Promise<OpenedBody> {
  const reader = source.getReader();
  let head = new Uint8Array(0);
  let ended = false;
  let format: ImageFormat | null | undefined;
  for (;;) {
    const { done, value } = await reader.read();
    if (value) {
      if (head.byteLength + value.byteLength > maxBytes) {
        await reader.cancel().catch(() => undefined);
        return { ok: false, refusal: tooLarge(maxBytes) };
      }
      const joined = new Uint8Array(head.byteLength + value.byteLength);
      joined.set(head);
      joined.set(value, head.byteLength);
      head = joined;
    }
    ended = done;
    format = sniffImage(head, done || head.byteLength >= SNIFF_BYTES);
    if (format !== undefined) break;
  }
  if (format === null) {
    if (!ended) await reader.cancel().catch(() => undefined);
    return {
      ok: false,
      refusal: {
        reason: "not_an_image",
        message: "the origin answered 200 with content that is not an image Images accepts",
      },
    };
  }

  const stats = { bytes: head.byteLength, refusal: null as Refusal | null };
  const readable = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(head);
      if (ended) controller.close();
    },
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) return controller.close();
      stats.bytes += value.byteLength;
      if (stats.bytes > maxBytes) {
        stats.refusal = tooLarge(maxBytes);
        await reader.cancel().catch(() => undefined);
        return controller.error(new Error(stats.refusal.message));
      }
      controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return { ok: true, format, readable, stats };
}
