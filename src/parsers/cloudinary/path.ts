import type { CloudinaryOptions } from "../../sources/types";
import { validateKey } from "../key";
import { fail, malformedEscape } from "../result";
import type { ParseError } from "../types";
import { decodeOnce, stripLeadingSlash } from "../url-encoding";
import { countStep } from "../work";

/**
 * The path grammar of Cloudinary delivery URLs:
 *
 *   [/<cloud>]/<resource>/<type>/[s--SIG--/][<transformation>/…][v<digits>/]<public_id>[.<ext>]
 *   [/<cloud>]/iu/…                      (`shorten: true`: image/upload)
 *   [/<cloud>]/images/…/<public_id>/<seo suffix>[.<ext>]   (`url_suffix`: image/upload)
 *
 * Only image/upload is served. The key is the public id (decoded once) without a known image
 * extension, so every size/format of an asset shares one key.
 *
 * Root-path URLs, where `image/upload` is implied (`use_root_path`, and private-CDN URLs):
 *
 *   [/<cloud>]/[s--SIG--/][<transformation>/…][v<digits>/]<public_id>[.<ext>]
 *
 * are read only where that is unambiguous (SPEC): on a private-CDN host `<cloud>-res.cloudinary.com`
 * (the path never carries the cloud there), when `options.cloudName` is set (a first segment equal
 * to it is the cloud), or when `options.rootPath` is true (no cloud segment, except on the shared
 * `res.cloudinary.com` hosts, where the first segment is always the cloud). A path that starts
 * with a resource word (`image/`, `video/`, `iu/`, …) is always read in the long form.
 *
 * Decisions where the SPEC is silent:
 * - Cloud segment: skipped when it equals `options.cloudName`. When `cloudName` is unset, a first
 *   segment that is not a resource word but is followed by one is taken as the cloud name (so
 *   `res.cloudinary.com/<cloud>/image/upload/…` works without configuration). When `cloudName`
 *   is set and the URL names another cloud (before a resource word, on a shared host, or in a
 *   private-CDN host name), the URL is refused (`unparseable_url`).
 * - A segment is a transformation component only when every comma-separated param starts with a
 *   real Cloudinary parameter name (`w_`, `c_`, `fl_`, `$var_`, … from the SDK's list), not any
 *   `[a-z]{1,3}_`: folders such as `my_photos/` or `img_2020/` stay part of the public id. The
 *   last path segment is always the public id (and, in the `images/` form, when two or more
 *   segments remain, the last one is the SEO suffix; a single remaining segment is the public id).
 *   More than 64 components make the URL fail (SPEC): no real URL has that many.
 * - An `images/` URL's extension sits on the SEO suffix; it is carried to the origin path when it
 *   is a known image extension and dropped otherwise. A root-path URL has no SEO suffix: the SDK's
 *   `use_root_path` + `url_suffix` form (`/<public id>/<suffix>.jpg`) cannot be told from a public
 *   id in a folder, so the whole path is the public id.
 */
export interface CloudinaryPath {
  /** The transformation components, in URL order (still percent-encoded). */
  components: string[];
  /** The asset key: the decoded public id without a known image extension. */
  key: string;
  /** The image extension as requested (`jpg`, `PNG`), or "" when there is none. */
  ext: string;
}

/** Most transformation components a URL may have (SPEC). */
export const MAX_COMPONENTS = 64;

const SIGNATURE = /^s--[A-Za-z0-9_-]{1,64}--$/;
/** `<cloud>-res[-<n>].cloudinary.com`: the cloud's private CDN. */
const PRIVATE_CDN = /^([a-z0-9][a-z0-9-]*?)-res(?:-\d+)?\.cloudinary\.com$/;
/** `res[-<n>].cloudinary.com`: shared hosts, whose first path segment is always the cloud. */
const SHARED_HOST = /^res(?:-\d+)?\.cloudinary\.com$/;
const VERSION = /^v\d+$/;

/** Transformation parameter names Cloudinary knows (from the SDK's transformation builder). */
// prettier-ignore
const PARAM_NAMES = new Set([
  "a", "ac", "af", "ar", "b", "bo", "br", "c", "co", "cs", "d", "dl", "dn", "dpr", "du", "e", "eo",
  "f", "fl", "fn", "fps", "g", "h", "if", "ki", "l", "o", "p", "pg", "q", "r", "so", "sp", "t",
  "u", "vc", "vs", "w", "x", "y", "z",
]);
const VARIABLE_PARAM = /^\$[A-Za-z][A-Za-z0-9]*_/;

/** Extensions that are a delivery format, not part of the public id (matched case-insensitively). */
// prettier-ignore
const IMAGE_EXTENSIONS = new Set([
  "jpg", "jpeg", "jpe", "jfif", "png", "gif", "webp", "avif", "heic", "heif", "svg", "bmp", "tif",
  "tiff", "ico", "jxl", "jp2", "jxr", "wdp", "hdp", "psd", "pdf", "eps", "ai", "tga", "dng", "arw",
  "cr2", "cr3", "djvu", "flif",
]);

/**
 * Splits `rest` (the raw path below the source's prefix) into components, key and extension.
 * `host` is the request's host name (lowercase, no port).
 */
export function parseCloudinaryPath(
  rest: string,
  host: string,
  options: CloudinaryOptions,
): CloudinaryPath | ParseError {
  const segs = stripLeadingSlash(rest).split("/");
  const n = segs.length;
  const cloudName =
    typeof options.cloudName === "string" && options.cloudName !== "" ? options.cloudName : undefined;
  const privateCloud = PRIVATE_CDN.exec(host)?.[1];
  if (cloudName !== undefined && privateCloud !== undefined && privateCloud !== cloudName) {
    return otherCloud(privateCloud, cloudName);
  }

  // The long forms: a resource word first, or after the cloud segment.
  const first = segs[0]!;
  if (isResourceWord(first)) return parseLongForm(segs, 0);
  if (n > 1 && isResourceWord(segs[1]!)) {
    if (cloudName !== undefined && first !== cloudName) return otherCloud(first, cloudName);
    return parseLongForm(segs, 1);
  }

  // The root-path form, where it is unambiguous.
  const rootPath = options.rootPath === true;
  if (privateCloud !== undefined) return parseBody(segs, 0, false);
  if (cloudName !== undefined || rootPath) {
    const shared = SHARED_HOST.test(host);
    if (cloudName !== undefined && first === cloudName) return parseBody(segs, 1, false);
    if (shared && cloudName !== undefined) return otherCloud(first, cloudName);
    return parseBody(segs, shared ? 1 : 0, false);
  }
  return fail(
    "unparseable_url",
    "Not a Cloudinary delivery path: expected [/<cloud>]/image/upload/…, /iu/… or /images/… " +
      "followed by [transformations/][v<version>/]<public_id> (root-path URLs need options.cloudName " +
      "or options.rootPath).",
  );
}

function parseLongForm(segs: string[], i: number): CloudinaryPath | ParseError {
  const start = afterResourceAndType(segs, i);
  return start.ok ? parseBody(segs, start.j, start.seo) : start;
}

function otherCloud(named: string, served: string): ParseError {
  return fail(
    "unparseable_url",
    `The URL is for Cloudinary cloud ${quote(named)}, but this source serves cloud ${quote(served)}.`,
  );
}

/** Where the body (signature, components, version, public id) starts, or why the URL is refused. */
function afterResourceAndType(segs: string[], i: number): { ok: true; j: number; seo: boolean } | ParseError {
  switch (segs[i]) {
    case "image": {
      const type = segs[i + 1];
      if (type === undefined || type === "") {
        return fail("unparseable_url", "The Cloudinary URL has no delivery type after 'image/'.");
      }
      if (type !== "upload") return unsupportedType(type);
      return { ok: true, j: i + 2, seo: false };
    }
    case "iu":
      return { ok: true, j: i + 1, seo: false };
    case "images":
      return { ok: true, j: i + 1, seo: true };
    case "video":
    case "videos":
      return fail(
        "unsupported_asset",
        "Cloudinary video URLs are not served by this gateway; only image/upload images are.",
      );
    case "raw":
    case "files":
      return fail(
        "unsupported_asset",
        "Cloudinary raw-file URLs are not served by this gateway; only image/upload images are.",
      );
    case "private_images":
      return unsupportedType("private");
    case "authenticated_images":
      return unsupportedType("authenticated");
    default:
      // Not reached: only called on a resource word.
      return fail("unparseable_url", "Not a Cloudinary delivery path.");
  }
}

/** Signature, transformation components, version, then the public id: always the last segment(s). */
function parseBody(segs: string[], j: number, seo: boolean): CloudinaryPath | ParseError {
  const n = segs.length;
  if (j < n - 1 && SIGNATURE.test(segs[j]!)) j++;
  const firstComponent = j;
  while (j < n - 1 && isTransformation(segs[j]!)) {
    if (++j - firstComponent > MAX_COMPONENTS) {
      return fail(
        "unparseable_url",
        `The Cloudinary URL has more than ${MAX_COMPONENTS} transformation components.`,
      );
    }
  }
  const components = segs.slice(firstComponent, j);
  if (j < n - 1 && VERSION.test(segs[j]!)) j++;
  if (j >= n) return fail("invalid_key", "The Cloudinary URL has no public id.");

  // The public id (and SEO suffix) → key, extension.
  let idEnd = n;
  let suffix: string | undefined;
  if (seo && n - j >= 2) {
    idEnd = n - 1;
    suffix = segs[n - 1];
  }
  const rawId = idEnd - j === 1 ? segs[j]! : segs.slice(j, idEnd).join("/");
  const decoded = decodeOnce(rawId);
  if (decoded === null) return malformedEscape("public id");
  let key = decoded;
  let ext = "";
  if (suffix !== undefined) {
    const decodedSuffix = decodeOnce(suffix);
    if (decodedSuffix === null) return malformedEscape("SEO suffix");
    ext = imageExtension(decodedSuffix, 0);
  } else {
    ext = imageExtension(decoded, decoded.lastIndexOf("/") + 1);
    if (ext) key = decoded.slice(0, decoded.length - ext.length - 1);
  }
  const invalid = validateKey(key);
  if (invalid) return invalid;
  return { components, key, ext };
}

/** The known image extension of the file name starting at `nameStart` of `path`, or "". */
function imageExtension(path: string, nameStart: number): string {
  const dot = path.lastIndexOf(".");
  if (dot <= nameStart) return "";
  const ext = path.slice(dot + 1);
  return IMAGE_EXTENSIONS.has(ext.toLowerCase()) ? ext : "";
}

/** The words that start a long-form path (after the optional cloud segment). */
const RESOURCE_WORDS = new Set([
  "image",
  "video",
  "raw",
  "iu",
  "images",
  "videos",
  "files",
  "private_images",
  "authenticated_images",
]);

function isResourceWord(seg: string): boolean {
  return RESOURCE_WORDS.has(seg);
}

function unsupportedType(type: string): ParseError {
  return fail(
    "unsupported_asset",
    `Cloudinary '${clip(type)}' delivery URLs are not served by this gateway; only image/upload images are.`,
  );
}

function quote(s: string): string {
  return `'${clip(s)}'`;
}

function clip(s: string): string {
  return s.length > 64 ? s.slice(0, 64) + "…" : s;
}

/** A segment is a transformation component when every `,`-separated param is a Cloudinary param. */
function isTransformation(seg: string): boolean {
  if (seg.length === 0) return false;
  let start = 0;
  for (;;) {
    countStep();
    const comma = seg.indexOf(",", start);
    const end = comma === -1 ? seg.length : comma;
    if (!isParam(seg, start, end)) return false;
    if (comma === -1) return true;
    start = comma + 1;
  }
}

function isParam(seg: string, start: number, end: number): boolean {
  if (seg.charCodeAt(start) === 0x24 /* $ */) return VARIABLE_PARAM.test(seg.slice(start, end));
  const underscore = seg.indexOf("_", start);
  if (underscore === -1 || underscore >= end || underscore - start > 3) return false;
  return PARAM_NAMES.has(seg.slice(start, underscore));
}
