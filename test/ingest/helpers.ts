import { env } from "cloudflare:workers";
import { admin } from "../helpers";
import { deterministicImageId } from "../../src/ingest/image-id";

/** The image id lazy ingestion gives an asset of a source without signed URLs. */
export const idOf = (source: string, key: string) =>
  deterministicImageId(source, key, false).then((id) => id!);

/** Real image headers: enough for the format check, padded to a plausible size. */
export function imageBytes(
  kind: "png" | "jpeg" | "gif" | "webp" | "avif" | "heic" | "svg",
  size = 2048,
): Uint8Array {
  const heads: Record<string, number[] | string> = {
    png: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
    jpeg: [0xff, 0xd8, 0xff, 0xe0],
    gif: "GIF89a",
    webp: "RIFF\x00\x00\x00\x00WEBPVP8 ",
    avif: "\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1",
    heic: "\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1",
    svg: '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"></svg>',
  };
  const head = heads[kind]!;
  const bytes =
    typeof head === "string" ? Uint8Array.from(head, (c) => c.charCodeAt(0)) : Uint8Array.from(head);
  if (kind === "svg") return bytes;
  const out = new Uint8Array(Math.max(size, bytes.length));
  out.set(bytes);
  for (let i = bytes.length; i < out.length; i++) out[i] = (i * 31) & 0xff;
  return out;
}

export function imageResponse(bytes: Uint8Array, type = "image/png"): Response {
  return new Response(bytes, { headers: { "content-type": type } });
}

export async function mappingOf(source: string, key: string) {
  const res = await admin("GET", `/mappings?source=${source}&prefix=${encodeURIComponent(key)}`);
  return (res.body.result as any[]).find((m) => m.key === key) ?? null;
}

export async function readAll(stream: ReadableStream<Uint8Array> | null): Promise<Uint8Array> {
  if (!stream) throw new Error("no bytes");
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Images the gateway uploaded for a source (the mock lists every image). */
export async function imagesOfSource(source: string) {
  const found = [];
  let cursor: string | undefined;
  do {
    const page = await env.IMAGES.hosted.list({ limit: 100, cursor, creator: "legacy-image-gateway" });
    found.push(...page.images.filter((i) => (i.meta as { source?: string } | undefined)?.source === source));
    cursor = page.cursor;
  } while (cursor);
  return found;
}
