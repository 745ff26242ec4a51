// The legacy origin for the lazy-ingestion phase: serves a small PNG after ORIGIN_DELAY_MS (a
// realistic origin latency, so concurrent first hits really overlap) and counts what it was asked.
// GET /__bench/count returns the counts; nothing else is special.
const PNG = Uint8Array.from(
  atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="),
  (c) => c.charCodeAt(0),
);
const requests = new Map();

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/__bench/count") {
      return Response.json({
        total: [...requests.values()].reduce((a, b) => a + b, 0),
        byPath: Object.fromEntries(requests),
      });
    }
    requests.set(url.pathname, (requests.get(url.pathname) ?? 0) + 1);
    await new Promise((resolve) => setTimeout(resolve, Number(env.ORIGIN_DELAY_MS ?? "0")));
    return new Response(PNG, {
      headers: { "content-type": "image/png", "content-length": String(PNG.length) },
    });
  },
};
