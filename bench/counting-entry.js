// Bench-only entry: the real gateway (../src/index) with `env.DB` replaced by a counting proxy of
// the real D1 binding. It counts every statement D1 executes (alone or inside a batch), classifies
// INSERT/UPDATE/DELETE/REPLACE as writes and everything else as reads, and sums the rows_read /
// rows_written D1 reports where its API returns them (all/run/batch; raw() and first() return no
// metadata, so those are re-measured once per distinct SQL text, see /__bench/d1/sample).
// Used only for the D1-cost phase of bench/run.mjs; throughput is measured on the plain bundle.
//
//   GET  /__bench/d1          the counts so far
//   POST /__bench/d1/reset    zero them
//   POST /__bench/d1/sample   re-run each read statement seen through raw()/first() once, with the
//                             bindings of one of its executions, via all() to read rows_read
//   GET  /__bench/images      how many images the Images binding holds
import gateway from "../src/index";

const WRITE = /^\s*(WITH\b[\s\S]*?\b)?(INSERT|UPDATE|DELETE|REPLACE)\b/i;

function fresh() {
  return {
    requests: 0,
    responses: {},
    statements: 0,
    reads: 0,
    writes: 0,
    batches: 0,
    writeBatches: 0,
    writeBatchSizes: [],
    execs: 0,
    rowsRead: 0,
    rowsWritten: 0,
    statementsWithMeta: 0,
    bySql: new Map(),
  };
}
let counts = fresh();

function record(sql, args, meta, api) {
  const write = WRITE.test(sql);
  counts.statements++;
  if (write) counts.writes++;
  else counts.reads++;
  let s = counts.bySql.get(sql);
  if (!s) {
    s = { kind: write ? "write" : "read", executions: 0, withMeta: 0, rowsRead: 0, rowsWritten: 0, apis: {} };
    counts.bySql.set(sql, s);
  }
  s.executions++;
  s.apis[api] = (s.apis[api] ?? 0) + 1;
  if (!s.sample) s.sample = args;
  if (meta) {
    counts.statementsWithMeta++;
    counts.rowsRead += meta.rows_read ?? 0;
    counts.rowsWritten += meta.rows_written ?? 0;
    s.withMeta++;
    s.rowsRead += meta.rows_read ?? 0;
    s.rowsWritten += meta.rows_written ?? 0;
  }
}

class CountingStatement {
  constructor(real, sql, args) {
    this.real = real;
    this.sql = sql;
    this.args = args;
  }
  bind(...args) {
    return new CountingStatement(this.real.bind(...args), this.sql, args);
  }
  async first(column) {
    const out = await this.real.first(column);
    record(this.sql, this.args, null, "first");
    return out;
  }
  async raw(options) {
    const out = await this.real.raw(options);
    record(this.sql, this.args, null, "raw");
    return out;
  }
  async all() {
    const out = await this.real.all();
    record(this.sql, this.args, out.meta, "all");
    return out;
  }
  async run() {
    const out = await this.real.run();
    record(this.sql, this.args, out.meta, "run");
    return out;
  }
}

class CountingD1 {
  constructor(real) {
    this.real = real;
  }
  prepare(sql) {
    return new CountingStatement(this.real.prepare(sql), sql, []);
  }
  async batch(statements) {
    const out = await this.real.batch(statements.map((s) => s.real));
    counts.batches++;
    if (statements.some((s) => WRITE.test(s.sql))) {
      counts.writeBatches++;
      counts.writeBatchSizes.push(statements.length);
    }
    statements.forEach((s, i) => record(s.sql, s.args, out[i]?.meta, "batch"));
    return out;
  }
  async exec(sql) {
    const out = await this.real.exec(sql);
    counts.execs++;
    return out;
  }
  withSession(constraint) {
    return new CountingD1(this.real.withSession(constraint));
  }
  dump() {
    return this.real.dump();
  }
}

// One wrapped env per real env, so the gateway's per-env caches (config, Drizzle instance) keep working.
const wrapped = new WeakMap();
function wrap(env) {
  let w = wrapped.get(env);
  if (!w) {
    w = { ...env, DB: new CountingD1(env.DB) };
    wrapped.set(env, w);
  }
  return w;
}

function snapshot() {
  const { bySql, ...totals } = counts;
  return {
    ...totals,
    bySql: [...bySql].map(([sql, s]) => ({ sql, ...s })).sort((a, b) => b.executions - a.executions),
  };
}

async function sample(env) {
  const out = [];
  for (const [sql, s] of counts.bySql) {
    if (s.kind !== "read" || s.withMeta === s.executions) continue;
    const res = await env.DB.prepare(sql)
      .bind(...s.sample)
      .all();
    s.sampledRowsRead = res.meta.rows_read;
    out.push({ sql, rowsRead: res.meta.rows_read, rowsReturned: res.results.length });
  }
  return out;
}

async function countImages(env) {
  let n = 0;
  let cursor;
  for (;;) {
    const page = await env.IMAGES.hosted.list({ limit: 1000, ...(cursor ? { cursor } : {}) });
    n += page.images.length;
    if (page.listComplete || !page.cursor) return n;
    cursor = page.cursor;
  }
}

export default {
  async fetch(request, env, ctx) {
    const path = new URL(request.url).pathname;
    if (path.startsWith("/__bench/")) {
      if (path === "/__bench/d1") return Response.json(snapshot());
      if (path === "/__bench/d1/reset") {
        counts = fresh();
        return Response.json({ ok: true });
      }
      if (path === "/__bench/d1/sample") return Response.json(await sample(env));
      if (path === "/__bench/images") return Response.json({ images: await countImages(env) });
      return new Response("no such bench path", { status: 404 });
    }
    counts.requests++;
    const res = await gateway.fetch(request, wrap(env), ctx);
    counts.responses[res.status] = (counts.responses[res.status] ?? 0) + 1;
    return res;
  },
};
