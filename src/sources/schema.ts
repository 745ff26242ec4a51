import * as z from "zod/mini";
import { ON_MISS, ON_ORIGIN_GONE, SOURCE_KINDS } from "../db/schema";

/**
 * Request bodies for sources: the single source of truth for their shape and, through `z.infer`,
 * for the types of a source's options (see ./types.ts).
 */

const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const PREFIX_SEGMENT = "[A-Za-z0-9._~!$&'()*+,;=:@-]+";
const PREFIX = new RegExp(`^/(${PREFIX_SEGMENT}(/${PREFIX_SEGMENT})*)?/?$`);
const VARIANT = /^[A-Za-z0-9_-]{1,99}$/;
const NAMED_TRANSFORMATION = /^(t_)?[A-Za-z0-9_.-]{1,128}$/;

export const REDIRECT_STATUSES = [301, 302, 307, 308] as const;
export type RedirectStatus = (typeof REDIRECT_STATUSES)[number];

export const sourceId = z
  .string()
  .check(
    z.regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "must be 1–64 of a-z, 0-9 and '-', starting with a letter or digit"),
  );

const host = z
  .pipe(
    z.string(),
    z.transform((h) => h.trim().toLowerCase()),
  )
  .check(
    z.refine(
      (h) => HOST.test(h),
      "must be a bare host name such as images.example.com (no scheme, port or path)",
    ),
  );

const pathPrefix = z.pipe(
  z.string().check(
    z.regex(PREFIX, "must start with '/' and be made of path segments such as /legacy/images"),
    z.refine(
      (p) => !p.split("/").some((s) => s === "." || s === ".."),
      "must not contain '.' or '..' segments",
    ),
  ),
  z.transform((p) => (p.length > 1 && p.endsWith("/") ? p.slice(0, -1) : p)),
);

/**
 * An origin is stored normalised, as `new URL` reads it (so a tab or newline in the input cannot
 * reach a `Location` header), without trailing `/`, and never with credentials.
 */
export function normalizeOrigin(value: string): string | null {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    return null;
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") return null;
  if (u.search || u.hash || u.username || u.password) return null;
  return (u.origin + u.pathname).replace(/\/+$/, "");
}

const origin = z.pipe(
  z.string().check(
    z.maxLength(2048, "must be at most 2048 characters"),
    z.refine(
      (v) => normalizeOrigin(v) !== null,
      "must be an http(s) URL without query, fragment or credentials, e.g. https://res.cloudinary.com/demo",
    ),
  ),
  z.transform((o) => normalizeOrigin(o)!),
);

const variantName = z
  .string()
  .check(z.regex(VARIANT, "must be a variant name of letters, digits, '_' or '-'"));

/**
 * Any kind: `webhookSecret` names the Worker secret (`wrangler secret put <NAME>`) that signs the
 * source's webhooks — the name only, never the value, is stored in D1. `cors` says which pages may
 * use the images cross-origin: `"*"` (the default, as the old CDNs do), a list of origins
 * (`https://www.example.com`), or `false` (no CORS headers).
 */
const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const GATEWAY_SECRETS = ["ADMIN_TOKEN", "ADMIN_READ_TOKEN", "IMAGES_SIGNING_KEY"];
const isOrigin = (v: unknown) => {
  try {
    return typeof v === "string" && new URL(v).origin === v;
  } catch {
    return false;
  }
};
const MAX_CORS_ORIGINS = 100;
const commonOptions = {
  webhookSecret: z.optional(
    z.string().check(
      z.regex(SECRET_NAME, "must be the name of a Worker secret (letters, digits and '_')"),
      z.refine((n) => !GATEWAY_SECRETS.includes(n), "must not be one of the gateway's own secrets"),
    ),
  ),
  cors: z.optional(
    z.custom<"*" | false | string[]>(
      (v) =>
        v === "*" ||
        v === false ||
        (Array.isArray(v) && v.length >= 1 && v.length <= MAX_CORS_ORIGINS && v.every(isOrigin)),
      `must be "*", false, or a list of 1 to ${MAX_CORS_ORIGINS} origins such as https://www.example.com (scheme, host and port only)`,
    ),
  ),
};

export const cloudinaryOptions = z.strictObject({
  ...commonOptions,
  /** Cloudinary signs notifications with SHA-1 unless the account is set to SHA-256. */
  signatureAlgorithm: z.optional(z.enum(["sha1", "sha256"])),
  cloudName: z.optional(
    z.string().check(z.regex(/^[A-Za-z0-9_-]{1,128}$/, "must be a Cloudinary cloud name")),
  ),
  namedTransformations: z.optional(
    // An object of variant names whose every key is a named transformation.
    z
      .catchall(z.object({}), variantName)
      .check(
        z.refine(
          (m) => Object.keys(m).every((k) => NAMED_TRANSFORMATION.test(k)),
          "every key must be a named transformation such as t_thumb",
        ),
      ),
  ),
  /** Root-path URLs (`use_root_path`: image/upload implied) carry no cloud segment on this source. */
  rootPath: z.optional(z.boolean()),
});
export const imgixOptions = z.strictObject(commonOptions);
export const s3Options = z.strictObject({
  ...commonOptions,
  bucket: z.optional(
    z.string().check(z.regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name")),
  ),
  /** On a non-AWS host the first path segment is the bucket (it must be `bucket`). */
  pathStyle: z.optional(z.boolean()),
});
export const httpOptions = z.strictObject({
  ...commonOptions,
  keepQuery: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(64))).check(z.maxLength(20))),
});

export const OPTIONS_BY_KIND = {
  cloudinary: cloudinaryOptions,
  imgix: imgixOptions,
  s3: s3Options,
  http: httpOptions,
} as const;

export type CloudinaryOptions = z.infer<typeof cloudinaryOptions>;
export type ImgixOptions = z.infer<typeof imgixOptions>;
export type S3Options = z.infer<typeof s3Options>;
export type HttpOptions = z.infer<typeof httpOptions>;
/** What `sources.options` holds: the options of the source's kind (validated before storing). */
export type SourceOptions = CloudinaryOptions & S3Options & HttpOptions;

/** Every writable field of a source, without defaults (a PATCH is a partial of these). */
const sourceFields = z.strictObject({
  id: sourceId,
  kind: z.enum(SOURCE_KINDS),
  host: z.nullable(host),
  pathPrefix,
  origin: z.nullable(origin),
  onMiss: z.enum(ON_MISS),
  redirectStatus: z.literal(REDIRECT_STATUSES),
  defaultVariant: variantName,
  requireSignedURLs: z.boolean(),
  /** Any object here; checked against the kind's options schema by `sourceInput`. */
  options: z.looseObject({}),
  enabled: z.boolean(),
  onOriginGone: z.enum(ON_ORIGIN_GONE),
  revalidateAfter: z.nullable(
    z
      .number()
      .check(
        z.refine(
          (n) => Number.isInteger(n) && n >= 60 && n <= 31_536_000,
          "must be whole seconds, from 60 to 31536000 (a year)",
        ),
      ),
  ),
});

/** POST: defaults filled, then the cross-field rules. */
export const sourceInput = z
  .pipe(
    z.strictObject({
      ...sourceFields.shape,
      host: z._default(sourceFields.shape.host, null),
      pathPrefix: z._default(pathPrefix, "/"),
      origin: z._default(sourceFields.shape.origin, null),
      onMiss: z.optional(sourceFields.shape.onMiss),
      redirectStatus: z._default(sourceFields.shape.redirectStatus, 301),
      defaultVariant: z._default(variantName, "public"),
      requireSignedURLs: z._default(z.boolean(), false),
      options: z._default(sourceFields.shape.options, {}),
      enabled: z._default(z.boolean(), true),
      onOriginGone: z._default(sourceFields.shape.onOriginGone, "keep"),
      revalidateAfter: z._default(sourceFields.shape.revalidateAfter, null),
    }),
    z.transform((s) => ({
      ...s,
      onMiss: s.onMiss ?? (s.origin ? ("ingest" as const) : ("not-found" as const)),
      // Checked against the kind's schema below.
      options: s.options as SourceOptions,
    })),
  )
  .check(
    z.superRefine((s, ctx) => {
      const parsed = OPTIONS_BY_KIND[s.kind].safeParse(s.options);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: ["options", ...issue.path] });
      }
      if ((s.onMiss === "ingest" || s.onMiss === "redirect-origin") && !s.origin) {
        ctx.addIssue({ code: "custom", path: ["onMiss"], message: `'${s.onMiss}' needs an origin` });
      }
      // One origin object is ingested under one key only: /b1/x and /b2/x would both fetch <origin>/x.
      if (s.kind === "s3" && s.origin && !s.options.bucket) {
        ctx.addIssue({
          code: "custom",
          path: ["options", "bucket"],
          message: "is required when the source has an origin (it is the only bucket the source serves)",
        });
      }
      if (s.revalidateAfter !== null && !s.origin) {
        ctx.addIssue({ code: "custom", path: ["revalidateAfter"], message: "needs an origin to re-check" });
      }
    }),
  );

export type SourceInput = z.output<typeof sourceInput>;

/** PATCH: any field but id; merged over the stored source, then validated as a whole by `sourceInput`. */
export const sourcePatch = z.partial(z.omit(sourceFields, { id: true }));
