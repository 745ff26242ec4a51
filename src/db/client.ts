import { DrizzleQueryError } from "drizzle-orm";
import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";

/** Drizzle over a D1 session; `$client` is the session, for the few statements written by hand. */
export type Db = DrizzleD1Database & { $client: D1Database };

/**
 * Where a request's reads may go, through the D1 Sessions API:
 * - `replica` (`first-unconstrained`): the redirect path — the nearest read replica answers;
 * - `primary` (`first-primary`): admin routes, jobs and every write — an operator reads their own
 *   writes, and a read that decides a write (a lease, a job's next step) sees the latest state.
 * Every query of one Db goes through one session, so it is sequentially consistent in itself.
 */
export type ReadFrom = "replica" | "primary";

const CONSTRAINT = { replica: "first-unconstrained", primary: "first-primary" } as const;

/**
 * A Drizzle instance over a new D1 session. Cheap (no schema is attached: only the query builder is
 * used), so make one per request or per unit of work rather than keeping one around.
 */
export function getDb(env: { DB: D1Database }, from: ReadFrom): Db {
  // Drizzle's D1 driver only calls prepare() and batch(), which a session has.
  return drizzle(env.DB.withSession(CONSTRAINT[from]) as unknown as D1Database);
}

/**
 * A query D1 could not run (unreachable, overloaded, timed out): Drizzle wraps every failure of the
 * driver. Constraint violations are handled where they are expected; anything else that reaches
 * the error handler is answered 503 `storage_unavailable`, not as a client error.
 */
export const isStorageError = (err: unknown): boolean => err instanceof DrizzleQueryError;

/** D1/SQLite constraint failures, told apart from other errors by their message. */
export function isUniqueViolation(err: unknown): boolean {
  return /UNIQUE constraint failed|PRIMARY KEY/i.test(causeMessage(err));
}
export function isForeignKeyViolation(err: unknown): boolean {
  return /FOREIGN KEY constraint failed/i.test(causeMessage(err));
}
/**
 * The message of the innermost cause (Drizzle wraps D1's error in "Failed query: <sql> params: …";
 * the cause says what D1 said), at most 300 characters: for logs and `lastError`.
 */
export function innermostMessage(err: unknown): string {
  let e: unknown = err;
  for (let depth = 0; depth < 5 && e instanceof Error && (e as Error & { cause?: unknown }).cause; depth++)
    e = (e as Error & { cause?: unknown }).cause;
  return (e instanceof Error ? e.message : String(e)).slice(0, 300);
}

/** Whether an error came from D1 (its messages start with `D1_`), however deeply wrapped. */
export const isD1Error = (err: unknown) => /\bD1_[A-Z_]+/.test(causeMessage(err));

function causeMessage(err: unknown): string {
  let msg = "";
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    if (e instanceof Error) {
      msg += ` ${e.message}`;
      e = (e as Error & { cause?: unknown }).cause;
    } else {
      msg += ` ${String(e)}`;
      break;
    }
  }
  return msg;
}

export const nowIso = () => new Date().toISOString();
