import { getDb } from "../db/client";
import { readStats } from "../db/stats";
import { ok } from "../http/envelope";
import type { AdminHandler } from "./types";

/**
 * GET /_admin/stats — per source: mappings by state, hits, bytes ingested, failed ingest attempts
 * by reason; and the totals. Hits are flushed by each isolate every HIT_FLUSH_INTERVAL seconds.
 */
export const statsRoute: AdminHandler = async (_req, env) => ok(await readStats(getDb(env, "primary")));
