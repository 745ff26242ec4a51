import { env } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, DELIVERY, gateway, mapKey, READ_TOKEN, admin, uniqueId } from "../helpers";
import { serveOrigin } from "../origin";
import { imageBytes, imageResponse } from "../ingest/helpers";

/**
 * Route fuzz (issue 8): any method, headers and body on the public and admin routes. Properties:
 * no response ≥ 500 except the documented 502 and 503; a `Location` only ever points at the
 * delivery base or at a source's origin. Seeded and bounded: the same cases on every run.
 */
const SEED = 8_2026;
const RUNS = 500;

const hosts: string[] = [];
let prefixes: string[] = [];

beforeAll(async () => {
  const sources = [
    {
      kind: "cloudinary",
      pathPrefix: "/cld",
      origin: "https://fuzz-ingest.origin.test",
      options: { cloudName: "demo" },
    },
    { kind: "imgix", pathPrefix: "/ix", origin: "https://fuzz-ingest.origin.test", onMiss: "ingest" },
    {
      kind: "s3",
      pathPrefix: "/s3",
      origin: "https://fuzz-bucket.origin.test",
      onMiss: "redirect-origin",
      options: { bucket: "fuzz-bucket" },
    },
    {
      kind: "http",
      pathPrefix: "/h",
      origin: "https://fuzz-http.origin.test/base",
      onMiss: "redirect-origin",
      options: { keepQuery: ["v"] },
    },
    { kind: "imgix", pathPrefix: "/signed", requireSignedURLs: true },
  ];
  const host = `${uniqueId("fuzz")}.test`;
  hosts.push(host, "other.example", "localhost:8787");
  for (const s of sources) {
    const res = await admin("POST", "/sources", { id: uniqueId(s.kind), host, ...s });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    if (s.kind === "imgix" && s.pathPrefix === "/ix") await mapKey(res.body.result.id, "ok/mapped.jpg");
  }
  prefixes = sources.map((s) => s.pathPrefix);
});

const segment = fc.oneof(
  fc.constantFrom(
    "image",
    "upload",
    "w_100,h_50,c_fill",
    "v1",
    "ok",
    "mapped.jpg",
    "..",
    ".",
    "",
    "%2e%2e",
    "%00",
    "a%ZZ",
    "fuzz-bucket",
    "l_a",
    "t_x",
    "_admin",
    "sources",
    "mappings",
    "images",
    "v1",
    "v2",
    "blob",
    "ingest",
    "resolve",
    "stats",
    "import",
  ),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "grapheme", maxLength: 6 }),
);
const path = fc
  .tuple(
    fc.constantFrom(
      "",
      "/_admin",
      "/_health",
      "/_hooks",
      "/_demo/origin",
      ...["/cld", "/ix", "/s3", "/h", "/signed"],
    ),
    fc.array(segment, { maxLength: 8 }),
  )
  .map(([p, segs]) => `${p}/${segs.map((s) => encodeURI(s)).join("/")}`);
const query = fc.oneof(
  fc.constant(""),
  fc
    .array(
      fc.tuple(
        fc.constantFrom(
          "w",
          "h",
          "fit",
          "v",
          "_a",
          "ixlib",
          "s",
          "X-Amz-Signature",
          "cascade",
          "limit",
          "cursor",
          "source",
          "state",
          "prefix",
          "mode",
          "verify",
        ),
        fc.string({ maxLength: 10 }),
      ),
      { maxLength: 5 },
    )
    .map((ps) => `?${ps.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("&")}`),
);
const method = fc.constantFrom("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "PROPFIND");
const auth = fc.constantFrom<string | undefined>(
  undefined,
  `Bearer ${ADMIN_TOKEN}`,
  `Bearer ${READ_TOKEN}`,
  "Bearer nope",
  "Basic x",
  "",
);
const contentType = fc.constantFrom<string | undefined>(
  undefined,
  "application/json",
  "text/csv",
  "application/x-ndjson",
  "multipart/form-data; boundary=x",
  "text/plain",
  "application/json; charset=utf-8",
);
const body = fc.oneof(
  fc.constant(undefined),
  fc.string({ maxLength: 200 }),
  fc.json({ maxDepth: 3 }),
  fc.constantFrom(
    '{"urls":["https://x/ix/ok/a.jpg"]}',
    '{"url":"https://x/cld/demo/image/upload/a.jpg"}',
    "url,imageId\nhttps://x/ix/a.jpg,../x",
    '{"id":"x","kind":"s3"}',
    "[{}]",
  ),
);

describe("route fuzz: public and admin routes", () => {
  it(
    "never answers ≥ 500 (but the documented 502/503), never redirects off the delivery base or an origin",
    { timeout: 30_000 },
    async () => {
      serveOrigin("fuzz-ingest.origin.test", (req) =>
        new URL(req.url).pathname.includes("ok")
          ? imageResponse(imageBytes("png"))
          : new Response(null, { status: 404 }),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...hosts),
          path,
          query,
          method,
          auth,
          contentType,
          body,
          async (host, p, q, m, a, ct, b) => {
            let request: Request;
            try {
              const headers: Record<string, string> = {};
              if (a !== undefined) headers.authorization = a;
              if (ct !== undefined) headers["content-type"] = ct;
              const hasBody = b !== undefined && m !== "GET" && m !== "HEAD";
              request = new Request(`https://${host}${p}${q}`, {
                method: m,
                headers,
                body: hasBody ? b : undefined,
                redirect: "manual",
              });
            } catch {
              return; // not a request a client could send
            }
            const res = await gateway(request.url, request);
            await res.arrayBuffer();
            expect(
              res.status < 500 || res.status === 502 || res.status === 503,
              `${m} ${p}${q} → ${res.status}`,
            ).toBe(true);
            const location = res.headers.get("location");
            if (location !== null) {
              const { results } = await env.DB.prepare(
                "SELECT origin FROM sources WHERE origin IS NOT NULL",
              ).all<{ origin: string }>();
              const allowed = [`${DELIVERY}/`, ...results.map((r) => `${r.origin}/`)];
              expect(
                allowed.some((base) => location.startsWith(base)),
                `${m} ${p}${q} → Location ${location}`,
              ).toBe(true);
            }
          },
        ),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
    },
  );
});
