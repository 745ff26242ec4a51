import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import worker from "../src/index";

/** Helpers shared by the HTTP tests: every request goes through the Worker's real fetch handler. */

// The secrets and vars the tests run with are set once, in vitest.config.ts; read them from there.
export const ADMIN_TOKEN = env.ADMIN_TOKEN;
export const READ_TOKEN = env.ADMIN_READ_TOKEN;
export const SIGNING_KEY = env.IMAGES_SIGNING_KEY;
export const DELIVERY = env.DELIVERY_BASE_URL;

export interface Envelope<T = any> {
  success: boolean;
  errors: { code: number; message: string }[];
  messages: string[];
  result: T;
  result_info?: { cursor: string | null; count: number };
}

export function gateway(url: string, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(new Request(url, { redirect: "manual", ...init }));
}

/**
 * Calls the Worker's fetch handler with some bindings or vars replaced (`{ HIT_FLUSH_INTERVAL: "0" }`,
 * a broken `DB`, …). `settled` resolves once everything the request left in `waitUntil` is done.
 */
export async function fetchWith(
  url: string,
  vars: Record<string, unknown>,
  init?: RequestInit,
): Promise<{ res: Response; settled: Promise<unknown> }> {
  const ctx = createExecutionContext();
  const request = new Request(url, { redirect: "manual", ...init }) as Request<
    unknown,
    IncomingRequestCfProperties
  >;
  const res = await worker.fetch(request, { ...env, ...vars } as Env, ctx);
  return { res, settled: waitOnExecutionContext(ctx) };
}

/** An admin API answer, its envelope parsed. */
export interface AdminAnswer<T = any> {
  status: number;
  body: Envelope<T>;
  headers: Headers;
}

/**
 * Calls `/_admin<path>` with the admin token (or `token`; `null` sends none). With `vars`, the
 * Worker runs with those bindings or vars replaced (see `fetchWith`) and its `waitUntil` work is
 * awaited.
 */
export async function admin<T = any>(
  method: string,
  path: string,
  body?: unknown,
  opts: {
    token?: string | null;
    headers?: Record<string, string>;
    raw?: BodyInit;
    vars?: Record<string, unknown>;
  } = {},
): Promise<AdminAnswer<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  const token = opts.token === undefined ? ADMIN_TOKEN : opts.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let payload: BodyInit | undefined = opts.raw;
  if (body !== undefined) {
    payload = JSON.stringify(body);
    headers["content-type"] ??= "application/json";
  }
  const url = `http://gateway.test/_admin${path}`;
  const init = { method, headers, body: payload };
  let res: Response;
  if (opts.vars) {
    const call = await fetchWith(url, opts.vars, init);
    await call.settled;
    res = call.res;
  } else res = await gateway(url, init);
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : (undefined as never), headers: res.headers };
}

export interface ErrorBody {
  code: number;
  message: string;
}

/**
 * Asserts an error answer: the status, a JSON envelope with `success: false`, `result: null` and
 * `code` as its first error; with `field`, one of the messages names that field (`field:` or
 * `field.`). Takes a raw `Response` or an `admin()` answer; returns the first error.
 */
export async function expectError(
  res: Response | AdminAnswer,
  status: number,
  code: number,
  field?: string,
): Promise<ErrorBody> {
  expect(res.status).toBe(status);
  let body: Envelope<unknown>;
  if (res instanceof Response) {
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    body = await res.json();
  } else body = res.body;
  expect(body).toMatchObject({ success: false, result: null });
  expect(body.errors[0]!.code).toBe(code);
  if (field !== undefined) {
    const named = new RegExp(`^${field.replace(/[.[\]]/g, "\\$&")}[:.]`);
    expect(body.errors.map((e) => e.message)).toContainEqual(expect.stringMatching(named));
  }
  return body.errors[0]!;
}

/** Asserts the temporary redirect to the original that users get while an asset is not in Images. */
export function expectTemporaryOrigin(res: Response, location: string): void {
  expect(res.status).toBe(302);
  expect(res.headers.get("location")).toBe(location);
  expect(res.headers.get("cache-control")).toBe("no-store");
}

let counter = 0;
/** A source id no other test uses, so the edge cache of one test never answers another. */
export const uniqueId = (prefix = "src") =>
  `${prefix}-${Date.now().toString(36)}-${(counter++).toString(36)}`;

/** Creates a source; unless the test says otherwise it only answers for its own host `<id>.test`. */
export async function createSource(fields: Record<string, unknown>) {
  const id = uniqueId(String(fields.kind ?? "src"));
  const res = await admin("POST", "/sources", { id, host: `${id}.test`, ...fields });
  if (res.status !== 201) throw new Error(`createSource: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.result as { id: string } & Record<string, any>;
}

/** Uploads bytes to the real local Images mock and returns the image id. */
export async function uploadImage(id?: string, bytes: Uint8Array = PNG_1x1): Promise<string> {
  const meta = await env.IMAGES.hosted.upload(bytes.slice().buffer as ArrayBuffer, id ? { id } : {});
  return meta.id;
}

/** A real 1×1 PNG. */
export const PNG_1x1 = Uint8Array.from(
  atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="),
  (c) => c.charCodeAt(0),
);

export async function mapKey(source: string, key: string, imageId?: string) {
  const id = imageId ?? (await uploadImage());
  const res = await admin("POST", "/mappings", { source, key, imageId: id });
  if (res.status !== 201) throw new Error(`mapKey: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.result as { id: number; imageId: string } & Record<string, any>;
}
