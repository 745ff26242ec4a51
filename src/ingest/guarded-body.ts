import { type ImageFormat, SNIFF_BYTES, sniffImage } from "./sniff";

export type Refusal = { reason: "not_an_image" | "too_large"; message: string };

export type OpenedBody =
  | {
      ok: true;
      format: ImageFormat;
      readable: ReadableStream<Uint8Array>;
      stats: BodyStats;
    }
  | { ok: false; refusal: Refusal };

export interface BodyStats {
  bytes: number;
  refusal: Refusal | null;
  /** Hex SHA-256 of every byte that passed, once the stream has ended (only with `digest`). */
  sha256: Promise<string> | null;
}

const tooLarge = (max: number): Refusal => ({
  reason: "too_large",
  message: `the original is larger than ${max} bytes`,
});

/**
 * Reads just enough of an origin body to recognise an image format Images accepts (a few KiB at
 * most), so an HTML error page or a JSON body served with 200 is refused before any upload starts.
 * The returned stream replays those bytes and then streams the rest, counting bytes as they pass:
 * past `maxBytes` it errors (the upload then fails) and `stats.refusal` says why. The whole image
 * is never held in memory. With `digest`, the bytes are hashed as they pass (a DigestStream fed
 * chunk by chunk), so the SHA-256 of a streamed upload is known without buffering it.
 */
export async function openImageBody(
  source: ReadableStream<Uint8Array>,
  maxBytes: number,
  opts: { digest?: boolean } = {},
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

  const hash = opts.digest ? new crypto.DigestStream("SHA-256") : null;
  const hashWriter = hash?.getWriter();
  const stats: BodyStats = { bytes: head.byteLength, refusal: null, sha256: hash && hash.digest.then(toHex) };
  stats.sha256?.catch(() => undefined); // only awaited after a complete body
  const pass = async (controller: ReadableStreamDefaultController<Uint8Array>, chunk: Uint8Array) => {
    // Hashed before it is handed on: the consumer may take ownership of the chunk's buffer.
    if (hashWriter) await hashWriter.write(chunk);
    controller.enqueue(chunk);
  };
  const end = async (controller: ReadableStreamDefaultController<Uint8Array>) => {
    await hashWriter?.close();
    controller.close();
  };
  const readable = new ReadableStream<Uint8Array>({
    async start(controller) {
      await pass(controller, head);
      if (ended) await end(controller);
    },
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) return end(controller);
      stats.bytes += value.byteLength;
      if (stats.bytes > maxBytes) {
        stats.refusal = tooLarge(maxBytes);
        await reader.cancel().catch(() => undefined);
        return controller.error(new Error(stats.refusal.message));
      }
      await pass(controller, value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return { ok: true, format, readable, stats };
}

export function toHex(buffer: ArrayBuffer): string {
  let hex = "";
  for (const b of new Uint8Array(buffer)) hex += b.toString(16).padStart(2, "0");
  return hex;
}
