import { env, exports } from "cloudflare:workers";

/** Helpers shared by the HTTP tests: every request goes through the Worker's real fetch handler. */

export const ADMIN_TOKEN = "test-admin-token";
export const READ_TOKEN = "test-read-token";
export const SIGNING_KEY = "test-signing-key";
export const DELIVERY = "https://imagedelivery.net/test-hash";

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

export async function admin<T = any>(
  method: string,
  path: string,
  body?: unknown,
  opts: { token?: string | null; headers?: Record<string, string>; raw?: BodyInit } = {},
): Promise<{ status: number; body: Envelope<T>; headers: Headers }> {
  const headers: Record<string, string> = { ...opts.headers };
  const token = opts.token === undefined ? ADMIN_TOKEN : opts.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  let payload: BodyInit | undefined = opts.raw;
  if (body !== undefined) {
    payload = JSON.stringify(body);
    headers["content-type"] ??= "application/json";
  }
  const res = await gateway(`http://gateway.test/_admin${path}`, { method, headers, body: payload });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : (undefined as never), headers: res.headers };
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
