// A real local gateway for the CLI tests and the jobs benchmark: the Worker bundled exactly as
// `wrangler deploy --dry-run` bundles it (as bench/run.mjs does), run by Miniflare with every binding
// of wrangler.toml (local D1, Images mock, the JOBS queue and its consumers, the EXPORTS bucket) and
// the real migrations applied. No account, no network: it listens on 127.0.0.1.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { unstable_readConfig } from "wrangler";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Bundles the Worker (`wrangler deploy --dry-run --outdir`, optionally from another entry that wraps
 * it); returns the module's path and code.
 */
export function buildWorker(outdir, entry) {
  const wranglerJs = path.join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");
  const args = [wranglerJs, "deploy", "--dry-run", "--outdir", outdir, ...(entry ? [entry] : [])];
  execFileSync(process.execPath, args, {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false", FORCE_COLOR: "0" },
  });
  const main = readdirSync(outdir).find((f) => f.endsWith(".js"));
  return { path: path.join(outdir, main), code: readFileSync(path.join(outdir, main), "utf8") };
}

/** The migrations' statements, in order, as `wrangler d1 migrations apply` runs them. */
export function migrationStatements() {
  const dir = path.join(ROOT, "migrations");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .flatMap((f) =>
      readFileSync(path.join(dir, f), "utf8")
        .split("--> statement-breakpoint")
        .map((s) => s.trim())
        .filter((s) => s.replace(/--.*$/gm, "").trim() !== ""),
    );
}

/** wrangler.toml's bindings and queue consumers, in Miniflare's Worker config. */
function gatewayConfig(wrangler, vars, manifest) {
  const text = (v) => ({ type: "text", value: String(v) });
  const env = {
    ...Object.fromEntries(Object.entries({ ...wrangler.vars, ...vars }).map(([k, v]) => [k, text(v)])),
    IMAGES: { type: "images" },
  };
  for (const d of wrangler.d1_databases ?? []) env[d.binding] = { type: "d1", id: d.database_id };
  for (const b of wrangler.r2_buckets ?? []) env[b.binding] = { type: "r2", name: b.bucket_name };
  for (const q of wrangler.queues?.producers ?? []) env[q.binding] = { type: "queue", name: q.queue };
  const triggers = (wrangler.queues?.consumers ?? []).map((c) => ({
    type: "queue",
    name: c.queue,
    ...(c.max_batch_size !== undefined ? { maxBatchSize: c.max_batch_size } : {}),
    ...(c.max_batch_timeout !== undefined ? { maxBatchTimeout: c.max_batch_timeout } : {}),
    ...(c.max_retries !== undefined ? { maxRetries: c.max_retries } : {}),
    ...(c.retry_delay !== undefined ? { retryDelay: c.retry_delay } : {}),
    ...(c.dead_letter_queue !== undefined ? { deadLetterQueue: c.dead_letter_queue } : {}),
  }));
  return {
    name: "gateway",
    compatibilityDate: wrangler.compatibility_date,
    compatibilityFlags: wrangler.compatibility_flags ?? [],
    manifest,
    env,
    triggers,
  };
}

/**
 * Starts the gateway. `vars` override wrangler.toml's vars (e.g. ADMIN_TOKEN); `workers` are extra
 * Workers in the same workerd (Miniflare configs, e.g. a stub origin) and `outbound` routes the
 * gateway's fetches to one; `bundle` reuses a build.
 */
export async function startGateway({
  vars = {},
  workers = [],
  outbound,
  bundle,
  port = 0,
  inspector = false,
} = {}) {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "lig-gateway-"));
  const built = bundle ?? buildWorker(path.join(tmp, "build"));
  const wrangler = unstable_readConfig({ config: path.join(ROOT, "wrangler.toml") });
  const name = path.basename(built.path);
  const manifest = { mainModule: name, modules: { [name]: { type: "esm", contents: built.code } } };
  const config = gatewayConfig(wrangler, vars, manifest);
  const mf = new Miniflare({
    host: "127.0.0.1",
    port,
    ...(inspector ? { inspectorPort: 0 } : {}),
    workers: [{ config, dev: outbound ? { outboundService: outbound } : {} }, ...workers],
  });
  const url = await mf.ready;
  const db = await mf.getD1Database("DB");
  for (const sql of migrationStatements()) await db.prepare(sql).run();
  return {
    mf,
    url: url.origin,
    bundle: built,
    /** The vars the gateway runs with, and its JOBS consumer's batch size. */
    vars: Object.fromEntries(
      Object.entries(config.env).flatMap(([k, v]) => (v.type === "text" ? [[k, v.value]] : [])),
    ),
    batchSize: config.triggers.find((t) => t.type === "queue")?.maxBatchSize,
    async close() {
      await mf.dispose().catch(() => undefined);
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}
