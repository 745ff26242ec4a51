import * as z from "zod/mini";
import { defaultMessage } from "./messages";
import { ApiError, apiError, ERRORS } from "../errors";

// zod/mini ships no messages: ours name what was expected and which keys are unknown.
z.config({ localeError: defaultMessage });

/** Largest JSON body the admin API reads outside bulk import. */
export const MAX_JSON_BYTES = 1024 * 1024;

/** Reads at most `limit` bytes of a body, answering 413 beyond that (Content-Length or actual bytes). */
export async function readText(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (declared > limit) throw apiError("payload_too_large", `Body larger than ${limit} bytes`);
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw apiError("payload_too_large", `Body larger than ${limit} bytes`);
    }
    chunks.push(value);
  }
  const decoder = new TextDecoder();
  let text = "";
  for (const c of chunks) text += decoder.decode(c, { stream: true });
  return text + decoder.decode();
}

function requireJsonType(request: Request): void {
  const type = request.headers.get("content-type");
  if (type && !/^application\/([\w.+-]*\+)?json\b/i.test(type)) {
    throw apiError("unsupported_media_type", "Send a JSON body (Content-Type: application/json)");
  }
}

/** Parses a JSON body and validates it; 415/400/413/422 with the failing field named. */
export async function readJson<S extends z.ZodMiniType>(request: Request, schema: S): Promise<z.output<S>> {
  requireJsonType(request);
  return validate(schema, parseJson(await readText(request, MAX_JSON_BYTES)));
}

/** A body's text as JSON; 400 invalid_json when it is not. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw apiError("invalid_json", "The body is not valid JSON");
  }
}

export function validate<S extends z.ZodMiniType>(schema: S, data: unknown): z.output<S> {
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new ValidationError(parsed.error);
  return parsed.data;
}

export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  return path.length ? path.map(String).join(".") : "body";
}

/** 422 carrying one entry per zod issue, each message starting with the field's path. */
export class ValidationError extends ApiError {
  readonly issues: { code: number; message: string }[];
  constructor(error: z.core.$ZodError) {
    const issues = error.issues.map((i) => ({
      code: ERRORS.validation_failed.code,
      message: `${fieldPath(i.path)}: ${i.message}`,
    }));
    super("validation_failed", issues[0]?.message ?? "Invalid input");
    this.issues = issues;
  }
}

/** A single-field 422, for checks zod cannot make (e.g. that an image exists). */
export const fieldError = (field: string, message: string) =>
  apiError("validation_failed", `${field}: ${message}`);
