import * as z from "zod/mini";
import { apiError } from "../../errors";
import { fieldError, validate } from "../../http/body";
import { MAX_IMAGE_BYTES } from "../../images/limits";
import { customImageId } from "../../images/ids";
import { imageCreator, imageMetadata } from "./schema";

/** Room for the text fields and the multipart framing next to a 10 MiB file. */
export const MAX_FORM_BYTES = MAX_IMAGE_BYTES + 64 * 1024;

const FIELDS = new Set(["file", "url", "id", "metadata", "requireSignedURLs", "creator"]);
/** `metadata[alt]`, `metadata[a][b]`, `metadata[tags][]`: how the official SDK sends an object. */
const METADATA_FIELD = /^metadata((?:\[[^[\]]*\])+)$/;

/** An absolute http(s) URL, `//` included (so not `http:example.com`), that `new URL` accepts. */
const isHttpUrl = (v: string) => /^\s*https?:\/\//i.test(v) && URL.canParse(v);

const uploadForm = z
  .strictObject({
    file: z.optional(z.custom<File>((v) => v instanceof File, "must be a file part")),
    url: z.optional(
      z
        .string()
        .check(
          z.maxLength(8192, "must be at most 8192 characters"),
          z.refine(isHttpUrl, "must be an http or https URL"),
        ),
    ),
    id: z.optional(customImageId),
    metadata: z.optional(imageMetadata),
    requireSignedURLs: z.pipe(
      z.optional(z.enum(["true", "false"], "must be true or false")),
      z.transform((v) => v === "true"),
    ),
    creator: z.optional(imageCreator),
  })
  .check(
    z.superRefine((f, ctx) => {
      if (f.file !== undefined && f.url !== undefined) {
        ctx.addIssue({ code: "custom", path: ["file"], message: "give either a file or a url, not both" });
      } else if (f.file === undefined && f.url === undefined) {
        ctx.addIssue({ code: "custom", path: ["file"], message: "give a file part or a url field" });
      }
      if (f.id !== undefined && f.requireSignedURLs) {
        ctx.addIssue({
          code: "custom",
          path: ["requireSignedURLs"],
          message: "cannot be true with a custom id (Images does not allow private custom ids)",
        });
      }
    }),
  );

export type UploadForm = z.infer<typeof uploadForm>;

const tooLarge = () =>
  apiError("payload_too_large", `The upload is larger than ${MAX_IMAGE_BYTES} bytes (10 MiB)`);

/**
 * Reads POST /images/v1: multipart/form-data with `file` or `url`, and optionally `id`, `metadata`
 * (JSON object text, or `metadata[...]` fields as the official SDK sends an object — their values
 * are then strings), `requireSignedURLs` ("true"/"false") and `creator`. The body is counted while
 * the runtime parses it, so at most 10 MiB plus a little framing is ever held; the file itself is
 * then streamed to Images from what FormData holds.
 */
export async function readUploadForm(request: Request): Promise<UploadForm> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^multipart\/form-data\s*;/i.test(type)) {
    throw apiError("unsupported_media_type", "Send multipart/form-data with a file part or a url field");
  }
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (declared > MAX_FORM_BYTES) throw tooLarge();
  let total = 0;
  let exceeded = false;
  const counted = request.body?.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        total += chunk.byteLength;
        if (total > MAX_FORM_BYTES) {
          exceeded = true;
          controller.error(new Error("upload too large"));
        } else controller.enqueue(chunk);
      },
    }),
  );
  let form: FormData;
  try {
    form = await new Response(counted ?? null, { headers: { "content-type": type } }).formData();
  } catch {
    if (exceeded) throw tooLarge();
    throw apiError("bad_request", "The body is not valid multipart/form-data");
  }

  const fields = new Map<string, FormValue>();
  const bracketed: [name: string, path: string[], value: FormValue][] = [];
  for (const [name, value] of form) {
    const m = METADATA_FIELD.exec(name);
    if (m) {
      bracketed.push([name, m[1]!.slice(1, -1).split("]["), value]);
    } else if (!FIELDS.has(name)) {
      throw fieldError(name, "is not a field of an image upload");
    } else if (fields.has(name)) {
      throw fieldError(name, "is given more than once");
    } else fields.set(name, value);
  }

  let metadata: unknown;
  const text = fields.get("metadata");
  if (text !== undefined) {
    if (bracketed.length)
      throw fieldError("metadata", "give it as JSON text or as metadata[…] fields, not both");
    if (typeof text !== "string") throw fieldError("metadata", "must be JSON text, not a file");
    try {
      metadata = JSON.parse(text);
    } catch {
      throw fieldError("metadata", "is not valid JSON");
    }
  } else if (bracketed.length) {
    metadata = fromBracketFields(bracketed);
  }

  return validate(uploadForm, {
    file: fields.get("file"),
    url: fields.get("url"),
    id: fields.get("id"),
    metadata,
    requireSignedURLs: fields.get("requireSignedURLs"),
    creator: fields.get("creator"),
  });
}

type FormValue = string | File;
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const own = (o: Obj, k: string) => (Object.hasOwn(o, k) ? o[k] : undefined);
/** Own data properties only, so a field named `metadata[__proto__]` is just a key. */
const put = (o: Obj, k: string, v: unknown) =>
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });

/** Rebuilds `{a: {b: "x"}, tags: ["p", "q"]}` from `metadata[a][b]=x`, `metadata[tags][]=p`, … */
function fromBracketFields(entries: [string, string[], FormValue][]): Obj {
  const root: Obj = {};
  for (const [name, path, value] of entries) {
    if (typeof value !== "string") throw fieldError(name, "must be text, not a file");
    const append = path.at(-1) === "";
    const names = append ? path.slice(0, -1) : path;
    if (names.length === 0 || names.includes("")) throw fieldError(name, "is not a metadata field name");
    let node = root;
    for (const k of names.slice(0, -1)) {
      let child = own(node, k);
      if (child === undefined) put(node, k, (child = {}));
      if (!isObj(child)) throw fieldError(name, "conflicts with another metadata field");
      node = child;
    }
    const leaf = names.at(-1)!;
    const existing = own(node, leaf);
    if (append && existing === undefined) put(node, leaf, [value]);
    else if (append && Array.isArray(existing)) existing.push(value);
    else if (!append && existing === undefined) put(node, leaf, value);
    else throw fieldError(name, "conflicts with another metadata field or is given more than once");
  }
  return root;
}
