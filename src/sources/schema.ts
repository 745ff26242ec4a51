import { z } from "zod";
import { ON_MISS, SOURCE_KINDS } from "../db/schema";

/** Request bodies for sources: the single source of truth for their shape and their types. */

const HOST = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const PREFIX_SEGMENT = "[A-Za-z0-9._~!$&'()*+,;=:@-]+";
const PREFIX = new RegExp(`^/(${PREFIX_SEGMENT}(/${PREFIX_SEGMENT})*)?/?$`);
const VARIANT = /^[A-Za-z0-9_-]{1,99}$/;

export const sourceId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,63}$/, "must be 1–64 of a-z, 0-9 and '-', starting with a letter or digit");

const host = z
  .string()
  .transform((h) => h.trim().toLowerCase())
  .refine(
    (h) => HOST.test(h),
    "must be a bare host name such as images.example.com (no scheme, port or path)",
  );

const pathPrefix = z
  .string()
  .regex(PREFIX, "must start with '/' and be made of path segments such as /legacy/images")
  .refine((p) => !p.split("/").some((s) => s === "." || s === ".."), "must not contain '.' or '..' segments")
  .transform((p) => (p.length > 1 && p.endsWith("/") ? p.slice(0, -1) : p));

const origin = z
  .string()
  .refine((value) => {
    try {
      const u = new URL(value);
      return (u.protocol === "https:" || u.protocol === "http:") && !u.search && !u.hash && !u.username;
    } catch {
      return false;
    }
  }, "must be an http(s) URL without query, fragment or credentials, e.g. https://res.cloudinary.com/demo")
  .transform((o) => o.replace(/\/+$/, ""));

const variantName = z.string().regex(VARIANT, "must be a variant name of letters, digits, '_' or '-'");

export const cloudinaryOptions = z.strictObject({
  cloudName: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,128}$/, "must be a Cloudinary cloud name")
    .optional(),
  namedTransformations: z
    .record(
      z.string().regex(/^(t_)?[A-Za-z0-9_.-]{1,128}$/, "must be a named transformation such as t_thumb"),
      variantName,
    )
    .optional(),
});
export const imgixOptions = z.strictObject({});
export const s3Options = z.strictObject({
  bucket: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "must be an S3 bucket name")
    .optional(),
});
export const httpOptions = z.strictObject({
  keepQuery: z.array(z.string().min(1).max(64)).max(20).optional(),
});

export const OPTIONS_BY_KIND = {
  cloudinary: cloudinaryOptions,
  imgix: imgixOptions,
  s3: s3Options,
  http: httpOptions,
} as const;

/** Every field of a source as stored; defaults filled. */
export const sourceFields = z.strictObject({
  id: sourceId,
  kind: z.enum(SOURCE_KINDS),
  host: host.nullable().default(null),
  pathPrefix: pathPrefix.default("/"),
  origin: origin.nullable().default(null),
  onMiss: z.enum(ON_MISS).optional(),
  redirectStatus: z.union([z.literal(301), z.literal(302), z.literal(307), z.literal(308)]).default(301),
  defaultVariant: variantName.default("public"),
  requireSignedURLs: z.boolean().default(false),
  options: z.record(z.string(), z.unknown()).default({}),
  enabled: z.boolean().default(true),
});

/** Cross-field rules: kind-specific options, and an origin for the onMiss modes that need one. */
export const sourceInput = sourceFields
  .superRefine((s, ctx) => {
    const parsed = OPTIONS_BY_KIND[s.kind].safeParse(s.options);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: ["options", ...issue.path] });
    }
    if ((s.onMiss === "ingest" || s.onMiss === "redirect-origin") && !s.origin) {
      ctx.addIssue({ code: "custom", path: ["onMiss"], message: `'${s.onMiss}' needs an origin` });
    }
  })
  .transform((s) => ({
    ...s,
    onMiss: s.onMiss ?? (s.origin ? ("ingest" as const) : ("not-found" as const)),
  }));

export type SourceInput = z.output<typeof sourceInput>;

/** PATCH: any field but id; merged over the stored source, then validated as a whole. */
export const sourcePatch = z
  .strictObject({
    kind: z.enum(SOURCE_KINDS),
    host: z.string().nullable(),
    pathPrefix: z.string(),
    origin: z.string().nullable(),
    onMiss: z.enum(ON_MISS),
    redirectStatus: z.number(),
    defaultVariant: z.string(),
    requireSignedURLs: z.boolean(),
    options: z.record(z.string(), z.unknown()),
    enabled: z.boolean(),
  })
  .partial();
