import { drizzle, type DrizzleD1Database } from "drizzle-orm/d1";
import * as schema from "./schema";

export type Db = DrizzleD1Database<typeof schema>;

const instances = new WeakMap<D1Database, Db>();

/** One Drizzle instance per D1 binding (cheap to build, but the hot path should not rebuild it). */
export function getDb(d1: D1Database): Db {
  let db = instances.get(d1);
  if (!db) {
    db = drizzle(d1, { schema });
    instances.set(d1, db);
  }
  return db;
}

/** D1/SQLite constraint failures, told apart from other errors by their message. */
export function isUniqueViolation(err: unknown): boolean {
  return /UNIQUE constraint failed|PRIMARY KEY/i.test(causeMessage(err));
}
export function isForeignKeyViolation(err: unknown): boolean {
  return /FOREIGN KEY constraint failed/i.test(causeMessage(err));
}
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
