import type { S3Options } from "../sources/types";
import { validateKey } from "./key";
import { fail, malformedEscape, success } from "./result";
import { encodeSegments, stripLeadingSlash } from "./url-encoding";
import type { LegacyParser, ParseResult } from "./types";

/**
 * S3 object URLs. Key = `<bucket>/<object key>`; originPath = the object key alone, re-encoded
 * per segment (the source's `origin` is the bucket's base URL). No delivery options: S3 has no
 * transformations. The query (`X-Amz-*`, `x-id`, `x-amz-checksum-mode`, `versionId`, …) is ignored.
 *
 * Hosts (matched on the request's host, case-insensitively):
 * - virtual-hosted `<bucket>.<endpoint>.amazonaws.com[.cn]`: the bucket is the host's head (it may
 *   contain dots), the object key is the whole path below the prefix;
 * - path-style `<endpoint>.amazonaws.com[.cn]`: the first path segment is the bucket;
 * - any other host (the gateway's own domain, a CDN CNAME): the bucket is `options.bucket` and the
 *   object key is the whole path; with `options.pathStyle: true` (or without `options.bucket`) the
 *   first path segment is the bucket.
 * where `<endpoint>` is `s3`, `s3.<region>`, `s3-<region>`, `s3.dualstack.<region>`,
 * `s3-website-<region>`, `s3-website.<region>`, `s3-fips[.dualstack].<region>`,
 * `s3-accelerate[.dualstack]`, `s3-external-1`, a VPC interface endpoint
 * `bucket.vpce-<id>.s3.<region>.vpce` (virtual-hosted `<bucket>.bucket.vpce-…`), or an S3 Express
 * zonal endpoint `s3express-<zone>.<region>` (virtual-hosted only).
 *
 * One origin object is ingested under one key only (SPEC): a source with an origin must name its
 * bucket, and a URL naming another bucket is refused.
 *
 * Decoding is S3's: `+` is a space, then percent-decoding (so `%2B` is a literal `+`).
 */

const ENDPOINT = String.raw`s3(?:-website|-fips|-accelerate)?(?:\.dualstack)?(?:[.-][a-z0-9]+(?:-[a-z0-9]+)+)?\.amazonaws\.com(?:\.cn)?`;
const PATH_STYLE_HOST = new RegExp(`^${ENDPOINT}$`);
const VIRTUAL_HOST = new RegExp(`^(.+)\\.${ENDPOINT}$`);
/** Interface endpoints: `[<bucket>.]bucket.vpce-<id>.s3.<region>.vpce.amazonaws.com`. */
const VPC_ENDPOINT =
  /^(?:(.+)\.)?bucket\.vpce-[a-z0-9]+(?:-[a-z0-9]+)*\.s3\.[a-z0-9-]+\.vpce\.amazonaws\.com(?:\.cn)?$/;
/** S3 Express One Zone: `<bucket>.s3express-<zone>.<region>.amazonaws.com`. */
const EXPRESS_HOST = /^(.+)\.s3express-[a-z0-9-]+\.[a-z0-9-]+\.amazonaws\.com$/;
/** Lenient on purpose: legacy us-east-1 buckets may have capitals and underscores. */
const BUCKET = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;
const PLUS = /\+/g;

export const parseS3Url: LegacyParser = (url, rest, source): ParseResult => {
  const options: S3Options = source.options ?? {};
  const configured = typeof options.bucket === "string" && options.bucket !== "" ? options.bucket : undefined;
  if (source.origin && configured === undefined) {
    return fail(
      "unparseable_url",
      "This S3 source has an origin but no options.bucket, so it cannot tell which bucket's objects it serves.",
    );
  }
  const path = stripLeadingSlash(rest);
  const host = url.hostname.toLowerCase();
  const endpoint = awsEndpoint(host);

  let bucket: string;
  let rawKey: string;
  if (endpoint.bucket !== undefined) {
    bucket = endpoint.bucket;
    rawKey = path;
  } else if (configured !== undefined && !endpoint.pathStyle && options.pathStyle !== true) {
    bucket = configured;
    rawKey = path;
  } else {
    const slash = path.indexOf("/");
    if (slash <= 0) {
      return fail("unparseable_url", "The S3 URL has no bucket and object key (expected /<bucket>/<key>).");
    }
    bucket = path.slice(0, slash);
    rawKey = path.slice(slash + 1);
  }

  if (!BUCKET.test(bucket)) return fail("unparseable_url", `${quote(bucket)} is not an S3 bucket name.`);
  if (configured !== undefined && bucket !== configured) {
    return fail(
      "unparseable_url",
      `The URL names S3 bucket ${quote(bucket)}, but this source serves bucket ${quote(configured)}.`,
    );
  }

  const objectKey = decodeS3(rawKey);
  if (objectKey === null) return malformedEscape("object key");
  if (objectKey === "") return fail("invalid_key", "The S3 URL has no object key.");
  const key = bucket + "/" + objectKey;
  const invalid = validateKey(key);
  if (invalid) return invalid;
  return success(key, {}, encodeSegments(objectKey));
};

/** The bucket a virtual-hosted AWS endpoint names, or whether it is a path-style endpoint. */
function awsEndpoint(host: string): { bucket?: string; pathStyle: boolean } {
  if (!host.endsWith(".amazonaws.com") && !host.endsWith(".amazonaws.com.cn")) return { pathStyle: false };
  const vpc = VPC_ENDPOINT.exec(host);
  if (vpc) return vpc[1] === undefined ? { pathStyle: true } : { bucket: vpc[1], pathStyle: false };
  if (PATH_STYLE_HOST.test(host)) return { pathStyle: true };
  const virtual = VIRTUAL_HOST.exec(host) ?? EXPRESS_HOST.exec(host);
  return virtual ? { bucket: virtual[1]!, pathStyle: false } : { pathStyle: false };
}

/** S3's request-path decoding: `+` means a space, then percent-decode once. Never throws. */
function decodeS3(raw: string): string | null {
  const spaced = raw.indexOf("+") === -1 ? raw : raw.replace(PLUS, " ");
  if (spaced.indexOf("%") === -1) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return null;
  }
}

function quote(s: string): string {
  return `'${s.length > 64 ? s.slice(0, 64) + "…" : s}'`;
}
