import { getDb } from "../db/client";
import { getMappingRowByKey, putReadyMapping } from "../db/mappings";
import { callImages, imageDetails } from "../images/binding";
import { staticFile } from "../http/static";
import { CREATOR } from "../ingest/image-id";
import { demoSvg } from "./origin";

/**
 * The newcomer's page at `/` (DEMO_ORIGIN=true only; in production `/` is a legacy path like any
 * other): `<img>` tags with legacy URLs of the three demo sources, and a link to the dashboard.
 * The page is static (assets/_demo/index.html, no script). Before it is served, the assets it
 * shows as "pre-mapped" are mapped to images uploaded here, as an operator's import would have
 * done; everything else on the page is migrated lazily by the browser's first request.
 */
const PAGE = "/_demo/index.html";

/** The demo page may show images from anywhere (a temporary redirect may point at any origin). */
const DEMO_CSP = [
  "default-src 'none'",
  "style-src 'self'",
  "img-src 'self' http: https:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

export const PREMAPPED = [
  { source: "demo-cloudinary", key: "samples/premapped-mountain", imageId: "demo-premapped-mountain" },
  { source: "demo-imgix", key: "premapped/bridge.svg", imageId: "demo-premapped-bridge" },
  { source: "demo-s3", key: "demo-bucket/premapped/harbour.png", imageId: "demo-premapped-harbour" },
] as const;

export async function serveDemoPage(request: Request, env: Env): Promise<Response> {
  await Promise.all(PREMAPPED.map((m) => premap(env, m)));
  return (await staticFile(request, env, PAGE, DEMO_CSP)) ?? new Response("Not Found", { status: 404 });
}

/** Other static files of the demo (its stylesheet, the sample image). */
export async function serveDemoFile(request: Request, env: Env, path: string): Promise<Response> {
  return (await staticFile(request, env, path, DEMO_CSP)) ?? new Response("Not Found", { status: 404 });
}

/** Idempotent; a failure (a demo source deleted, say) is logged and the page is served anyway. */
async function premap(env: Env, m: (typeof PREMAPPED)[number]): Promise<void> {
  try {
    const db = getDb(env, "primary");
    if ((await getMappingRowByKey(db, m.source, m.key))?.state === "ready") return;
    if (!(await imageDetails(env, m.imageId))) {
      const svg = new TextEncoder().encode(
        demoSvg(`pre-mapped: ${m.key.slice(m.key.lastIndexOf("/") + 1)}`, "#0051c3"),
      );
      await callImages("upload", () =>
        env.IMAGES.hosted.upload(svg.buffer as ArrayBuffer, {
          id: m.imageId,
          filename: `${m.imageId}.svg`,
          metadata: { source: m.source, key: m.key },
          creator: CREATOR,
        }),
      ).catch(async (err) => {
        // A concurrent first view may have uploaded it a moment ago.
        if (!(await imageDetails(env, m.imageId))) throw err;
      });
    }
    await putReadyMapping(db, { source: m.source, key: m.key, imageId: m.imageId, originUrl: null }, false);
  } catch (err) {
    console.warn(`demo: could not pre-map ${m.source}/${m.key}`, err);
  }
}
