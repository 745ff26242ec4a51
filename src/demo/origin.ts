/**
 * A stand-in legacy origin for the local quick start (DEMO_ORIGIN=true only): the demo sources
 * that `npm start` seeds fetch their originals from here, so lazy ingestion can be clicked
 * through with no network. `*.svg` is drawn on the fly with its name in it; anything else is the
 * sample PNG from the static assets (assets/_demo/), which keeps it out of the Worker's bundle.
 * Paths containing "missing" answer 404, like a deleted original.
 */
export const DEMO_ORIGIN_PATH = "/_demo/origin/";
const SAMPLE_PNG = "/_demo/landscape.png";

export function demoSvg(label: string, fill = "#f38020"): string {
  const text = label.replace(/[<>&"']/g, "");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="400" viewBox="0 0 640 400">
<rect width="640" height="400" fill="${fill}"/><text x="320" y="210" font-family="sans-serif" font-size="28" text-anchor="middle" fill="#fff">${text}</text></svg>`;
}

export async function serveDemoOrigin(request: Request, env: Env, path: string): Promise<Response> {
  let name: string;
  try {
    name = decodeURIComponent(path.slice(DEMO_ORIGIN_PATH.length));
  } catch {
    return new Response("Bad Request", { status: 400 });
  }
  if (name.includes("missing")) return new Response("Not Found", { status: 404 });
  if (/\.svg$/i.test(name)) {
    return new Response(demoSvg(name), { headers: { "content-type": "image/svg+xml" } });
  }
  const png = await env.ASSETS.fetch(new URL(SAMPLE_PNG, request.url));
  return new Response(png.body, { headers: { "content-type": "image/png" } });
}
