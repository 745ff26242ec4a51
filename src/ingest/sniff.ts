/**
 * Recognises the formats Cloudflare Images accepts from the first bytes of a file, so an HTML
 * error page or a JSON body served with 200 is refused before anything is uploaded.
 */
export type ImageFormat = "jpeg" | "png" | "gif" | "webp" | "avif" | "heic" | "svg";

/** Bytes to look at before deciding; SVG may start with an XML prolog, comments or a doctype. */
export const SNIFF_BYTES = 4096;

const CONTENT_TYPES: Record<ImageFormat, string> = {
  jpeg: "image/jpeg",
  png: "image/png",
  gif: "image/gif",
  webp: "image/webp",
  avif: "image/avif",
  heic: "image/heic",
  svg: "image/svg+xml",
};

/** The media type of a sniffed format; application/octet-stream when the bytes are none of them. */
export const contentTypeOf = (format: ImageFormat | null | undefined): string =>
  format ? CONTENT_TYPES[format] : "application/octet-stream";

const HEIF_BRANDS = new Set(["heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1"]);
const AVIF_BRANDS = new Set(["avif", "avis"]);

const ascii = (b: Uint8Array, from: number, to: number) => String.fromCharCode(...b.subarray(from, to));

/**
 * The format of `head`, `null` when it is none of them, or `undefined` when more bytes are needed
 * to tell (only possible while `final` is false).
 */
export function sniffImage(head: Uint8Array, final: boolean): ImageFormat | null | undefined {
  const n = head.length;
  if (n >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return "jpeg";
  if (n >= 8 && ascii(head, 0, 8) === "\x89PNG\r\n\x1a\n") return "png";
  if (n >= 6 && (ascii(head, 0, 6) === "GIF87a" || ascii(head, 0, 6) === "GIF89a")) return "gif";
  if (n >= 12 && ascii(head, 0, 4) === "RIFF" && ascii(head, 8, 12) === "WEBP") return "webp";
  if (n >= 12 && ascii(head, 4, 8) === "ftyp") {
    const brand = ascii(head, 8, 12);
    if (AVIF_BRANDS.has(brand)) return "avif";
    if (HEIF_BRANDS.has(brand)) return "heic";
    // Compatible brands follow the major brand and minor version.
    const boxSize = Math.min(n, (head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!);
    for (let i = 16; i + 4 <= boxSize; i += 4) {
      const compat = ascii(head, i, i + 4);
      if (AVIF_BRANDS.has(compat)) return "avif";
      if (HEIF_BRANDS.has(compat)) return "heic";
    }
    return null;
  }
  if (n < 12 && !final) return undefined;
  return sniffSvg(head, final);
}

/** SVG is text: an `<svg` root, possibly after a BOM, an XML prolog, comments and a doctype. */
function sniffSvg(head: Uint8Array, final: boolean): "svg" | null | undefined {
  const text = new TextDecoder().decode(head.subarray(0, SNIFF_BYTES)).replace(/^\uFEFF/, "");
  let rest = text.trimStart();
  if (!rest.startsWith("<")) return rest.length === 0 && !final ? undefined : null;
  // Skip the prolog, comments and a doctype, in any order, before the root element.
  for (;;) {
    const before = rest;
    rest = rest.replace(/^<\?xml[\s\S]*?\?>\s*/, "");
    rest = rest.replace(/^<!--[\s\S]*?-->\s*/, "");
    rest = rest.replace(/^<!DOCTYPE\s+svg[^>]*>\s*/i, "");
    if (rest === before) break;
  }
  if (/^<svg[\s>/]/i.test(rest)) return "svg";
  // Unterminated prolog/comment, or the root not reached yet: need more bytes unless at the end.
  if (!final && head.length < SNIFF_BYTES && /^<(\?|!--|!DOCTYPE|s(v(g)?)?$|$)/i.test(rest)) return undefined;
  return null;
}
