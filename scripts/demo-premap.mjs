// The demo's "pre-mapped" assets: legacy URLs of the demo page (assets/_demo/index.html) that an
// operator has already migrated before anyone views the page, so they redirect at once while the
// others are ingested on the browser's first request. `npm start` (and the browser tests' gateway)
// map them once the gateway answers, through the admin API as an operator would: POST
// /_admin/ingest. Idempotent: an asset already mapped is reported as such and left alone.

/** Paths (as the demo page writes them) of the assets mapped before the page is viewed. */
export const PREMAPPED_PATHS = [
  "/cloudinary/demo/image/upload/c_fill,w_320,h_200/v1/samples/premapped-mountain.jpg",
  "/imgix/premapped/bridge.svg?w=320&h=200&fit=crop",
  "/s3/demo-bucket/premapped/harbour.png",
];

const MAPPED = new Set(["ingested", "reused", "already-mapped"]);

/** Maps every pre-mapped asset on the gateway at `base`; throws with the gateway's answer otherwise. */
export async function premapDemo(base, adminToken) {
  const res = await fetch(`${base}/_admin/ingest`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ urls: PREMAPPED_PATHS.map((p) => base + p) }),
  });
  const envelope = await res.json().catch(() => null);
  const failed = envelope?.success ? envelope.result.filter((item) => !MAPPED.has(item.status)) : null;
  if (!envelope?.success || failed.length > 0) {
    throw new Error(`demo: could not pre-map (${res.status}): ${JSON.stringify(failed ?? envelope)}`);
  }
  return envelope.result;
}
