// The jobs phase of `npm run bench` (also alone: `npm run bench:jobs`): SPEC "Numbers that matter"
//  - backfill of N unmapped assets from a local origin: assets/s, origin fetches and uploads per asset;
//  - export of the N images (and their mappings) to R2: images/s, and the gateway isolate's peak heap.
// One Miniflare (one workerd) runs the gateway with every binding of wrangler.toml — the JOBS queue
// and its consumer as `wrangler dev` simulates them — plus a stub origin; no account, no network.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { buildWorker, startGateway } from "../scripts/local-gateway.mjs";

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(BENCH, "..");
const TOKEN = `bench-jobs-${Math.random().toString(36).slice(2)}`;
const log = (...a) => console.error("·", ...a);
const fmt = (x, d = 0) =>
  Number.isFinite(x)
    ? x.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d })
    : String(x);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The flags this phase adds to `npm run bench` (and takes alone). */
export const JOBS_OPTIONS = {
  "jobs-assets": { type: "string", default: process.env.BENCH_JOBS_ASSETS ?? "10000" },
  "jobs-origin-delay": { type: "string", default: process.env.BENCH_JOBS_ORIGIN_DELAY ?? "50" },
  "jobs-heap": { type: "string", default: process.env.BENCH_JOBS_HEAP ?? "true" },
  "skip-jobs": { type: "boolean", default: false },
};

/**
 * Runs the phase and returns its report (also written to bench/results/jobs-latest.json) and the
 * lines to print.
 */
export async function runJobsBench({ assets = 10000, originDelayMs = 50, heap = true } = {}) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "lig-bench-jobs-"));
  log(`jobs: building the gateway with a counting entry (bench/jobs-entry.js)…`);
  const bundle = buildWorker(path.join(tmp, "build"), "bench/jobs-entry.js");
  const origin = {
    config: {
      name: "origin",
      compatibilityDate: "2026-11-01",
      manifest: {
        mainModule: "origin-stub.js",
        modules: {
          "origin-stub.js": {
            type: "esm",
            contents: readFileSync(path.join(BENCH, "workers/origin-stub.js"), "utf8"),
          },
        },
      },
      env: { ORIGIN_DELAY_MS: { type: "text", value: String(originDelayMs) } },
    },
  };
  const gw = await startGateway({
    bundle,
    vars: { ADMIN_TOKEN: TOKEN, DELIVERY_BASE_URL: "https://imagedelivery.net/bench" },
    workers: [origin],
    outbound: { type: "worker", worker: "origin" },
    inspector: heap,
  });
  const admin = async (method, p, body) => {
    const res = await fetch(`${gw.url}/_admin${p}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json();
    if (!json.success) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(json.errors)}`);
    return json.result;
  };
  const originFetches = async () => {
    const originWorker = await gw.mf.getWorker("origin");
    return (await (await originWorker.fetch("http://origin.bench/__bench/count")).json()).total;
  };
  const settle = async (id, onTick) => {
    for (;;) {
      const job = await admin("GET", `/jobs/${id}`);
      onTick?.(job);
      if (["done", "failed", "cancelled"].includes(job.state)) return job;
      await sleep(100);
    }
  };

  try {
    // Backfill: N keys of a source whose origin answers after originDelayMs.
    await admin("POST", "/sources", {
      id: "bench-jobs",
      kind: "imgix",
      host: "img-jobs.bench",
      origin: "https://origin.bench",
    });
    const keys = Array.from({ length: assets }, (_, i) => `backfill/${String(i).padStart(6, "0")}.png`);
    log(`jobs: backfill of ${fmt(assets)} unmapped assets (origin latency ${originDelayMs} ms)…`);
    const t0 = performance.now();
    const created = await admin("POST", "/jobs", { type: "backfill", source: "bench-jobs", keys });
    const accepted = (performance.now() - t0) / 1000;
    let lastLog = 0;
    const backfill = await settle(created.id, (j) => {
      if (performance.now() - lastLog > 5000) {
        lastLog = performance.now();
        log(`   backfill ${fmt(j.succeeded + j.failed + j.skipped)}/${fmt(j.total)}`);
      }
    });
    const backfillSeconds = (performance.now() - t0) / 1000;
    const fetches = await originFetches();
    const uploads = (await (await fetch(`${gw.url}/__bench/uploads`)).json()).uploads;

    // Export: every image (the N just migrated) and every ready mapping to R2, with the gateway
    // isolate's heap sampled through the inspector.
    log(`jobs: export of ${fmt(backfill.succeeded)} images to R2…`);
    const sampler = heap ? await heapSampler(gw.mf, "gateway") : { stop: async () => null };
    const t1 = performance.now();
    const exp = await admin("POST", "/jobs", { type: "export", prefix: "bench/" });
    const exported = await settle(exp.id);
    const exportSeconds = (performance.now() - t1) / 1000;
    const peakHeap = await sampler.stop();

    const report = {
      settings: { assets, originDelayMs, vars: gw.vars },
      backfill: {
        job: backfill,
        acceptSeconds: accepted,
        seconds: backfillSeconds,
        assetsPerSecond: assets / backfillSeconds,
        originFetches: fetches,
        fetchesPerAsset: fetches / assets,
        uploads,
        uploadsPerAsset: uploads / assets,
      },
      export: {
        job: exported,
        seconds: exportSeconds,
        images: exported.total,
        imagesPerSecond: exported.total / exportSeconds,
        bytes: exported.bytes,
        mappingRows: exported.output.mappingRows,
        peakHeapBytes: peakHeap,
      },
    };
    report.verdicts = [
      {
        name: `backfill of ${fmt(assets)} unmapped assets, assets/s`,
        value: Math.round(report.backfill.assetsPerSecond),
        target: "≥ 50",
        met: report.backfill.assetsPerSecond >= 50 && backfill.succeeded === assets,
      },
      {
        name: "backfill: origin fetches / uploads per asset",
        value: `${fmt(report.backfill.fetchesPerAsset, 3)} / ${fmt(report.backfill.uploadsPerAsset, 3)}`,
        target: "1 / 1",
        met: fetches === assets && uploads === assets,
      },
      {
        name: `export of ${fmt(exported.total)} images to R2, images/s`,
        value: Math.round(report.export.imagesPerSecond),
        target: "≥ 100",
        met: report.export.imagesPerSecond >= 100 && exported.state === "done" && exported.failed === 0,
      },
    ];
    const b = report.backfill;
    const e = report.export;
    const lines = [
      `Jobs (JOBS queue consumed locally as wrangler dev does: one batch at a time, max_batch_size ${gw.batchSize}, JOB_CONCURRENCY ${gw.vars.JOB_CONCURRENCY})`,
      `6. Backfill: ${fmt(assets)} keys in one POST /_admin/jobs (accepted in ${fmt(b.acceptSeconds, 2)} s), origin latency ${originDelayMs} ms`,
      `   ${b.job.state} in ${fmt(b.seconds, 1)} s → ${fmt(b.assetsPerSecond)} assets/s; ${fmt(b.job.succeeded)} succeeded, ${fmt(b.job.failed)} failed, ${fmt(b.job.skipped)} skipped`,
      `   origin fetches ${fmt(b.originFetches)} (${fmt(b.fetchesPerAsset, 3)} per asset), uploads ${fmt(b.uploads)} (${fmt(b.uploadsPerAsset, 3)} per asset)`,
      `7. Export: ${fmt(e.images)} images (${fmt(e.bytes / 1024, 0)} KiB) + ${fmt(e.mappingRows)} mappings to R2 (two streamed reads per image, SHA-256 checked by R2)`,
      `   ${e.job.state} in ${fmt(e.seconds, 1)} s → ${fmt(e.imagesPerSecond)} images/s; peak gateway isolate heap ${peakHeap === null ? "not measured" : `${fmt(peakHeap / 1048576, 1)} MiB`} (V8 used heap, sampled every 100 ms)`,
      "Jobs SPEC numbers",
      ...report.verdicts.map(
        (v) => `   ${v.met ? "MET    " : "NOT MET"}  ${v.name}: ${v.value} (target ${v.target})`,
      ),
    ];
    const results = path.join(BENCH, "results");
    mkdirSync(results, { recursive: true });
    writeFileSync(path.join(results, "jobs-latest.json"), `${JSON.stringify(report, null, 2)}\n`);
    return { report, lines };
  } finally {
    await gw.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Samples a Worker isolate's V8 heap (Runtime.getHeapUsage over the inspector); null if it cannot. */
async function heapSampler(mf, worker) {
  let peak = null;
  let ws;
  try {
    const inspector = await mf.getInspectorURL();
    ws = new WebSocket(new URL(`/core:user:${worker}`, inspector).href);
    await new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.onerror = reject;
    });
  } catch {
    return { stop: async () => null };
  }
  let id = 0;
  const pending = new Map();
  ws.onmessage = (e) => {
    const msg = JSON.parse(e.data);
    pending.get(msg.id)?.(msg);
    pending.delete(msg.id);
  };
  const send = (method) =>
    new Promise((resolve) => {
      pending.set(++id, resolve);
      ws.send(JSON.stringify({ id, method }));
    });
  let running = true;
  const loop = (async () => {
    while (running) {
      const { result } = await send("Runtime.getHeapUsage");
      if (result) peak = Math.max(peak ?? 0, result.usedSize);
      await sleep(100);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      ws.close();
      return peak;
    },
  };
}

// Alone: `npm run bench:jobs -- --jobs-assets 1000`.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: JOBS_OPTIONS });
  process.env.WRANGLER_SEND_METRICS = "false";
  const { lines } = await runJobsBench({
    assets: Number(values["jobs-assets"]),
    originDelayMs: Number(values["jobs-origin-delay"]),
    heap: values["jobs-heap"] !== "false",
  });
  console.log(lines.join("\n"));
  console.log(`\nWritten: ${path.relative(ROOT, path.join(BENCH, "results", "jobs-latest.json"))}`);
}
