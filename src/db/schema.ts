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

export type SourceKind = (typeof SOURCE_KINDS)[number];
export type OnMiss = (typeof ON_MISS)[number];
export type MappingState = (typeof MAPPING_STATES)[number];

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
