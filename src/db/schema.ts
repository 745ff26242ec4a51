import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import type { RedirectStatus, SourceOptions } from "../sources/schema";

/**
 * The D1 schema. docs/storage.md explains every table and the states a mapping moves through.
 * Timestamps are ISO-8601 strings (UTC); lease and retry deadlines are epoch milliseconds so they
 * compare cheaply in the conditional statements that claim an ingest lease.
 */

export const SOURCE_KINDS = ["cloudinary", "imgix", "s3", "http"] as const;
export const ON_MISS = ["ingest", "redirect-origin", "not-found"] as const;
export const MAPPING_STATES = ["ready", "ingesting", "failed", "missing", "orphaned"] as const;
/** What a source does when its origin answers 404/410 for a mapped asset (or says it was deleted). */
export const ON_ORIGIN_GONE = ["keep", "orphan"] as const;
/** Outcomes of a refresh of a mapped asset (docs/storage.md), counted per source by stats. */
export const REFRESH_OUTCOMES = ["unchanged", "changed", "gone", "failed"] as const;

export type SourceKind = (typeof SOURCE_KINDS)[number];
export type OnMiss = (typeof ON_MISS)[number];
export type MappingState = (typeof MAPPING_STATES)[number];
export type OnOriginGone = (typeof ON_ORIGIN_GONE)[number];
export type RefreshOutcome = (typeof REFRESH_OUTCOMES)[number];

export const sources = sqliteTable("sources", {
  id: text("id").primaryKey(),
  kind: text("kind", { enum: SOURCE_KINDS }).notNull(),
  /** Lower-case host without port; null matches any host. */
  host: text("host"),
  pathPrefix: text("path_prefix").notNull().default("/"),
  origin: text("origin"),
  onMiss: text("on_miss", { enum: ON_MISS }).notNull(),
  redirectStatus: integer("redirect_status").$type<RedirectStatus>().notNull().default(301),
  defaultVariant: text("default_variant").notNull().default("public"),
  requireSignedURLs: integer("require_signed_urls", { mode: "boolean" }).notNull().default(false),
  /** Kind-specific options as JSON (validated by the admin API before it is stored). */
  options: text("options", { mode: "json" }).$type<SourceOptions>().notNull().default({}),
  enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
  onOriginGone: text("on_origin_gone", { enum: ON_ORIGIN_GONE }).notNull().default("keep"),
  /** Seconds after which the cron re-checks a `ready` mapping against the origin; null = never. */
  revalidateAfter: integer("revalidate_after"),
  createdAt: text("created_at").notNull(),
  updatedAt: text("updated_at").notNull(),
});

export const mappings = sqliteTable(
  "mappings",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    source: text("source")
      .notNull()
      .references(() => sources.id),
    key: text("key").notNull(),
    imageId: text("image_id"),
    state: text("state", { enum: MAPPING_STATES }).notNull(),
    originUrl: text("origin_url"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    /** Short, stable code of the last failure (`timeout`, `origin_5xx`, `not_an_image`, …) for stats. */
    failureReason: text("failure_reason"),
    /** Ingest lease: who holds it and until when (epoch ms). Only meaningful in state `ingesting`. */
    leaseOwner: text("lease_owner"),
    leaseUntil: integer("lease_until"),
    /** `failed`: earliest next attempt; `missing`: end of the negative-cache window (epoch ms). */
    retryAt: integer("retry_at"),
    bytes: integer("bytes"),
    /** What was ingested: hex SHA-256 of the original and the origin's validators (null = unknown). */
    contentSha256: text("content_sha256"),
    etag: text("etag"),
    lastModified: text("last_modified"),
    /** When the origin was last asked about this asset (ingest or refresh); null = never checked. */
    checkedAt: text("checked_at"),
    /** Outcome of the latest refresh (`unchanged`, `changed`, `gone`, `failed`); null = never refreshed. */
    refreshOutcome: text("refresh_outcome", { enum: REFRESH_OUTCOMES }),
    hits: integer("hits").notNull().default(0),
    lastHitAt: text("last_hit_at"),
    createdAt: text("created_at").notNull(),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    // The redirect path's only query reads one row through this index.
    uniqueIndex("mappings_source_key").on(t.source, t.key),
    // Deleting an image marks the mappings that point to it.
    index("mappings_image_id").on(t.imageId),
    // Admin lists in id order, filtered by source, source and state, or state (issue 8: at tens of
    // millions of rows a filter without its index passes D1's statement time limit).
    index("mappings_source_id").on(t.source, t.id),
    index("mappings_source_state_id").on(t.source, t.state, t.id),
    index("mappings_state_id").on(t.state, t.id),
    // The upkeep cron finds `missing`/`failed` rows whose window ended long ago.
    index("mappings_state_retry_at").on(t.state, t.retryAt),
    // Revalidation: a source's ready mappings, never checked (NULL) first, then the oldest check.
    index("mappings_revalidate").on(t.source, t.state, t.checkedAt),
    check("mappings_state_check", sql`${t.state} IN ('ready','ingesting','failed','missing','orphaned')`),
  ],
);

export type SourceRow = typeof sources.$inferSelect;
export type MappingRow = typeof mappings.$inferSelect;

/**
 * Per-source counters for GET /_admin/stats, kept by SQLite triggers on `mappings` (migration
 * 0003) so stats read one row per source instead of scanning the mappings: every insert, delete
 * and change of state/hits/bytes adjusts them in the same statement that made the change.
 */
export const sourceStats = sqliteTable("source_stats", {
  source: text("source").primaryKey(),
  ready: integer("ready").notNull().default(0),
  ingesting: integer("ingesting").notNull().default(0),
  failed: integer("failed").notNull().default(0),
  missing: integer("missing").notNull().default(0),
  orphaned: integer("orphaned").notNull().default(0),
  total: integer("total").notNull().default(0),
  hits: integer("hits").notNull().default(0),
  bytesIngested: integer("bytes_ingested").notNull().default(0),
  /** Refreshes by outcome (the `refresh_stats` migration's trigger counts every write of `refresh_outcome`). */
  refreshUnchanged: integer("refresh_unchanged").notNull().default(0),
  refreshChanged: integer("refresh_changed").notNull().default(0),
  refreshGone: integer("refresh_gone").notNull().default(0),
  refreshFailed: integer("refresh_failed").notNull().default(0),
});

/** Failed ingest attempts per source and reason (a trigger counts every move into `failed`). */
export const sourceFailures = sqliteTable(
  "source_failures",
  {
    source: text("source").notNull(),
    reason: text("reason").notNull(),
    n: integer("n").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.source, t.reason] })],
);

/**
 * Images replaced by a refresh (or dropped when their asset was orphaned at the origin). Browsers
 * and caches may still follow an old redirect to them, so the cron deletes each only after
 * `retire_after` (epoch ms) and only while no `ready` mapping points to it.
 */
export const retiredImages = sqliteTable(
  "retired_images",
  {
    imageId: text("image_id").primaryKey(),
    source: text("source").notNull(),
    key: text("key"),
    retiredAt: text("retired_at").notNull(),
    retireAfter: integer("retire_after").notNull(),
  },
  (t) => [index("retired_images_due").on(t.retireAfter)],
);

/**
 * Signed webhook deliveries already accepted, so a replayed delivery changes nothing: one row per
 * (source, signature) until `expires_at` (epoch ms), when its timestamp would be refused anyway.
 */
export const hookDeliveries = sqliteTable(
  "hook_deliveries",
  {
    id: text("id").primaryKey(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("hook_deliveries_expiry").on(t.expiresAt)],
);

/**
 * Jobs (src/jobs/): work larger than one request, run by the JOBS queue's consumer. A job's
 * counters are kept by SQLite triggers on `job_items` (migration 0008), so reading a job's progress
 * is one row however many items it has. docs/storage.md describes both tables.
 */
export const JOB_TYPES = ["backfill", "refresh", "export", "restore"] as const;
export const JOB_STATES = ["queued", "running", "done", "failed", "cancelled"] as const;
export const ITEM_STATES = ["pending", "succeeded", "failed", "skipped"] as const;

export type JobType = (typeof JOB_TYPES)[number];
export type JobState = (typeof JOB_STATES)[number];
export type ItemState = (typeof ITEM_STATES)[number];

export const jobs = sqliteTable(
  "jobs",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    type: text("type", { enum: JOB_TYPES }).notNull(),
    state: text("state", { enum: JOB_STATES }).notNull(),
    /** Where a multi-stage job is (`items`, then e.g. `mappings`); internal, not shown. */
    stage: text("stage").notNull().default("items"),
    /** 1 once every item of the job is known (export/restore discover theirs page by page). */
    listed: integer("listed", { mode: "boolean" }).notNull().default(false),
    total: integer("total").notNull().default(0),
    succeeded: integer("succeeded").notNull().default(0),
    failed: integer("failed").notNull().default(0),
    skipped: integer("skipped").notNull().default(0),
    /** Bytes moved by the items that succeeded or were skipped (export, restore, backfill). */
    bytes: integer("bytes").notNull().default(0),
    params: text("params", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    output: text("output", { mode: "json" }).$type<Record<string, unknown>>().notNull().default({}),
    error: text("error"),
    createdAt: text("created_at").notNull(),
    startedAt: text("started_at"),
    finishedAt: text("finished_at"),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    index("jobs_state").on(t.state),
    check("jobs_state_check", sql`${t.state} IN ('queued','running','done','failed','cancelled')`),
  ],
);

export const jobItems = sqliteTable(
  "job_items",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    jobId: integer("job_id")
      .notNull()
      .references(() => jobs.id, { onDelete: "cascade" }),
    /** Unique within the job: the input line for backfill/refresh, the image id for export/restore. */
    ref: text("ref").notNull(),
    /** 1-based line (or element) of the request body the item came from; null when discovered. */
    line: integer("line"),
    /** What the item works on, as JSON: `{url}`, `{source, key}`, `{id}`, `{key}`. */
    input: text("input", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    state: text("state", { enum: ITEM_STATES }).notNull(),
    /** Failed attempts so far (an item gets at most JOB_MAX_ATTEMPTS). */
    attempts: integer("attempts").notNull().default(0),
    /** Short stable code of the failure or skip (`origin_404`, `origin_5xx`, `cancelled`, …). */
    reason: text("reason"),
    error: text("error"),
    /** What it produced: the image id (backfill, restore), the R2 key (export). */
    result: text("result"),
    bytes: integer("bytes"),
    updatedAt: text("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("job_items_job_ref").on(t.jobId, t.ref),
    // Items of a job in id order, all of them or by state (SQLite appends the rowid to an index).
    index("job_items_job").on(t.jobId),
    index("job_items_job_state").on(t.jobId, t.state),
    check("job_items_state_check", sql`${t.state} IN ('pending','succeeded','failed','skipped')`),
  ],
);

export type JobRow = typeof jobs.$inferSelect;
export type JobItemRow = typeof jobItems.$inferSelect;
