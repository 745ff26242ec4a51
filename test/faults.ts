/**
 * Faults injected at the binding boundary: the real local D1 and the real Images mock, wrapped so a
 * test can make a chosen call throw or wait, and can see what went through (SQL, bound values,
 * Images operations). Nothing is faked: every call that is not faulted reaches the real binding.
 */

export interface D1Call {
  sql: string;
  params: unknown[];
}
export interface D1Hooks {
  /** Before a statement runs (alone or in a batch); throw to fail it, await to slow it down. */
  before?: (call: D1Call) => void | Promise<void>;
  /** Before a batch runs, with all its statements; throw to fail it (D1 batches are atomic). */
  beforeBatch?: (calls: D1Call[]) => void | Promise<void>;
}

const REAL = Symbol("real statement");
type Wrapped = D1PreparedStatement & { [REAL]: D1PreparedStatement; [CALL]: D1Call };
const CALL = Symbol("call");

function wrapStatement(stmt: D1PreparedStatement, call: D1Call, hooks: D1Hooks): D1PreparedStatement {
  const run =
    (name: "first" | "all" | "run" | "raw") =>
    async (...args: unknown[]) => {
      await hooks.before?.(call);
      return (stmt[name] as (...a: unknown[]) => unknown).apply(stmt, args);
    };
  return new Proxy(stmt, {
    get(target, prop) {
      if (prop === REAL) return target;
      if (prop === CALL) return call;
      if (prop === "bind")
        return (...values: unknown[]) =>
          wrapStatement(target.bind(...values), { sql: call.sql, params: values }, hooks);
      if (prop === "first" || prop === "all" || prop === "run" || prop === "raw") return run(prop);
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

function wrapSession<T extends D1Database | D1DatabaseSession>(db: T, hooks: D1Hooks): T {
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "prepare")
        return (sql: string) => wrapStatement(target.prepare(sql), { sql, params: [] }, hooks);
      if (prop === "batch")
        return async (stmts: Wrapped[]) => {
          const calls = stmts.map((s) => s[CALL] ?? { sql: "?", params: [] });
          await hooks.beforeBatch?.(calls);
          for (const c of calls) await hooks.before?.(c);
          return target.batch(stmts.map((s) => s[REAL] ?? s));
        };
      if (prop === "withSession")
        return (constraint?: string) =>
          wrapSession((target as D1Database).withSession(constraint as never), hooks);
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

/** The real D1, with hooks on every statement (sessions included). */
export const faultyD1 = (db: D1Database, hooks: D1Hooks): D1Database => wrapSession(db, hooks);

export type ImagesOp = "upload" | "list" | "details" | "bytes" | "update" | "delete";
export interface ImagesHooks {
  before?: (op: ImagesOp, id: string | null) => void | Promise<void>;
}

/** The real Images binding (its `hosted` namespace), with a hook before every operation. */
export function faultyImages(images: ImagesBinding, hooks: ImagesHooks): ImagesBinding {
  const hosted = images.hosted;
  const wrapped = {
    async upload(...args: Parameters<typeof hosted.upload>) {
      await hooks.before?.("upload", (args[1] as { id?: string } | undefined)?.id ?? null);
      return hosted.upload(...args);
    },
    async list(...args: Parameters<typeof hosted.list>) {
      await hooks.before?.("list", null);
      return hosted.list(...args);
    },
    image(id: string) {
      const handle = hosted.image(id);
      const op =
        <K extends "details" | "bytes" | "update" | "delete">(name: K) =>
        async (...a: unknown[]) => {
          await hooks.before?.(name, id);
          // Called as a method: on an RPC stub, `.apply` would be a remote property, not Function#apply.
          const h = handle as unknown as Record<K, (...x: unknown[]) => unknown>;
          return h[name](...a);
        };
      return { details: op("details"), bytes: op("bytes"), update: op("update"), delete: op("delete") };
    },
  };
  return new Proxy(images, {
    get(target, prop) {
      if (prop === "hosted") return wrapped;
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
}

/** An error shaped like the ones the D1 binding throws. */
export const d1Error = (what = "simulated D1 failure") => new Error(`D1_ERROR: ${what}`);
