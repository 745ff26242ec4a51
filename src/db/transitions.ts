import { getTableColumns } from "drizzle-orm";
import { type MappingRow, mappings, type RefreshOutcome } from "./schema";

/**
 * The states a mapping moves through (docs/storage.md), each written once: every write path
 * (admin create/patch/import, lazy ingestion, image delete) takes its column values from here, so
 * a transition cannot drift between them (e.g. one path forgetting to clear `failure_reason`).
 */
type Columns = Partial<Omit<MappingRow, "id" | "source" | "key" | "createdAt">>;

const NO_LEASE = { leaseOwner: null, leaseUntil: null } as const;

/**
 * What the origin served when it was last asked (ingest or refresh). All null = unknown: an image
 * mapped by an operator, or reused from an earlier attempt; `checkedAt` null = never checked.
 */
export interface OriginRecord {
  contentSha256: string | null;
  bytes: number | null;
  etag: string | null;
  lastModified: string | null;
  checkedAt: string | null;
}
const UNKNOWN_ORIGIN = { contentSha256: null, etag: null, lastModified: null, checkedAt: null } as const;

/**
 * → `ready`: redirected to `imageId`; every trace of an earlier failure or lease is cleared, and
 * so is what was known about the previous image's original (the operator or an ingest says anew).
 */
export const toReady = (imageId: string) =>
  ({
    state: "ready",
    imageId,
    lastError: null,
    failureReason: null,
    retryAt: null,
    ...NO_LEASE,
    ...UNKNOWN_ORIGIN,
  }) satisfies Columns;

/** → `ready` with the original that was just ingested (or refreshed) under `imageId`. */
export const toReadyFrom = (imageId: string, record: OriginRecord) =>
  ({ ...toReady(imageId), ...record }) satisfies Columns;

/**
 * A `ready` mapping held by a refresh: only the lease columns, so it keeps redirecting to its
 * image meanwhile (ingest claims never take a `ready` row, so the two leases cannot collide).
 */
export const toRefreshing = (owner: string, leaseUntil: number) =>
  ({ leaseOwner: owner, leaseUntil }) satisfies Columns;

/**
 * A refresh's outcome (counted per source by a trigger: only refreshes write `refresh_outcome`).
 * `message` is kept in `last_error` (why it failed, or that the origin is gone); `checkedAt` moves
 * whatever the outcome, so a failing asset does not hold back the revalidation of the others.
 */
export const refreshed = (outcome: RefreshOutcome, message: string | null, checkedAt: string) =>
  ({ refreshOutcome: outcome, lastError: message, checkedAt }) satisfies Columns;

/** A refresh lease given back. */
export const released = NO_LEASE;

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
