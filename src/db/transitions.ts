import { getTableColumns } from "drizzle-orm";
import { type MappingRow, mappings } from "./schema";

/**
 * The states a mapping moves through (docs/storage.md), each written once: every write path
 * (admin create/patch/import, lazy ingestion, image delete) takes its column values from here, so
 * a transition cannot drift between them (e.g. one path forgetting to clear `failure_reason`).
 */
type Columns = Partial<Omit<MappingRow, "id" | "source" | "key" | "createdAt">>;

const NO_LEASE = { leaseOwner: null, leaseUntil: null } as const;

/** → `ready`: redirected to `imageId`; every trace of an earlier failure or lease is cleared. */
export const toReady = (imageId: string) =>
  ({
    state: "ready",
    imageId,
    lastError: null,
    failureReason: null,
    retryAt: null,
    ...NO_LEASE,
  }) satisfies Columns;

/** → `ingesting`: `owner` holds the lease until `leaseUntil` (epoch ms). */
export const toIngesting = (owner: string, leaseUntil: number) =>
  ({ state: "ingesting", leaseOwner: owner, leaseUntil }) satisfies Columns;

/** → `failed`: no new attempt before `retryAt` (epoch ms); `reason` is counted by stats. */
export const toFailed = (reason: string, message: string, retryAt: number) =>
  ({ state: "failed", failureReason: reason, lastError: message, retryAt, ...NO_LEASE }) satisfies Columns;

/** → `missing`: the origin has no such original; answered 404 until `retryAt` (epoch ms). */
export const toMissing = (message: string, retryAt: number) =>
  ({ state: "missing", failureReason: null, lastError: message, retryAt, ...NO_LEASE }) satisfies Columns;

/** → `orphaned`: its image was deleted; `image_id` is kept so an operator sees what it pointed to. */
export const toOrphaned = (message: string) => ({ state: "orphaned", lastError: message }) satisfies Columns;

const COLUMN_NAMES = Object.fromEntries(
  Object.entries(getTableColumns(mappings)).map(([field, column]) => [field, column.name]),
) as Record<keyof MappingRow, string>;

/**
 * The constant part of a transition as SQL assignments (`state = 'ready', last_error = NULL, …`),
 * for the few statements written by hand (bulk import's INSERT … SELECT FROM json_each). Only the
 * constant columns are rendered; `omit` names those the statement sets itself.
 */
export function sqlAssignments(columns: Columns, omit: (keyof Columns)[] = []): string {
  const parts: string[] = [];
  for (const [field, value] of Object.entries(columns)) {
    if (omit.includes(field as keyof Columns)) continue;
    const name = COLUMN_NAMES[field as keyof MappingRow];
    if (value === null) parts.push(`${name} = NULL`);
    else if (typeof value === "string" && /^[a-z]+$/.test(value)) parts.push(`${name} = '${value}'`);
    else throw new Error(`sqlAssignments: ${field} is not a constant`);
  }
  return parts.join(", ");
}
