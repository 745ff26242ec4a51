-- Counters for GET /_admin/stats, kept exact by triggers so stats never scan mappings.
-- (Custom migration: drizzle-kit does not model triggers.)
INSERT INTO source_stats (source, ready, ingesting, failed, missing, orphaned, total, hits, bytes_ingested)
SELECT source,
  sum(state = 'ready'), sum(state = 'ingesting'), sum(state = 'failed'), sum(state = 'missing'), sum(state = 'orphaned'),
  count(*), sum(hits), sum(coalesce(bytes, 0))
FROM mappings GROUP BY source;
--> statement-breakpoint
CREATE TRIGGER mappings_stats_insert AFTER INSERT ON mappings BEGIN
  INSERT INTO source_stats (source) VALUES (NEW.source) ON CONFLICT (source) DO NOTHING;
  UPDATE source_stats SET
    ready = ready + (NEW.state = 'ready'),
    ingesting = ingesting + (NEW.state = 'ingesting'),
    failed = failed + (NEW.state = 'failed'),
    missing = missing + (NEW.state = 'missing'),
    orphaned = orphaned + (NEW.state = 'orphaned'),
    total = total + 1,
    hits = hits + NEW.hits,
    bytes_ingested = bytes_ingested + coalesce(NEW.bytes, 0)
  WHERE source = NEW.source;
END;
--> statement-breakpoint
CREATE TRIGGER mappings_stats_delete AFTER DELETE ON mappings BEGIN
  UPDATE source_stats SET
    ready = ready - (OLD.state = 'ready'),
    ingesting = ingesting - (OLD.state = 'ingesting'),
    failed = failed - (OLD.state = 'failed'),
    missing = missing - (OLD.state = 'missing'),
    orphaned = orphaned - (OLD.state = 'orphaned'),
    total = total - 1,
    hits = hits - OLD.hits,
    bytes_ingested = bytes_ingested - coalesce(OLD.bytes, 0)
  WHERE source = OLD.source;
END;
--> statement-breakpoint
CREATE TRIGGER mappings_stats_update AFTER UPDATE OF source, state, hits, bytes ON mappings BEGIN
  UPDATE source_stats SET
    ready = ready - (OLD.state = 'ready'),
    ingesting = ingesting - (OLD.state = 'ingesting'),
    failed = failed - (OLD.state = 'failed'),
    missing = missing - (OLD.state = 'missing'),
    orphaned = orphaned - (OLD.state = 'orphaned'),
    total = total - 1,
    hits = hits - OLD.hits,
    bytes_ingested = bytes_ingested - coalesce(OLD.bytes, 0)
  WHERE source = OLD.source;
  INSERT INTO source_stats (source) VALUES (NEW.source) ON CONFLICT (source) DO NOTHING;
  UPDATE source_stats SET
    ready = ready + (NEW.state = 'ready'),
    ingesting = ingesting + (NEW.state = 'ingesting'),
    failed = failed + (NEW.state = 'failed'),
    missing = missing + (NEW.state = 'missing'),
    orphaned = orphaned + (NEW.state = 'orphaned'),
    total = total + 1,
    hits = hits + NEW.hits,
    bytes_ingested = bytes_ingested + coalesce(NEW.bytes, 0)
  WHERE source = NEW.source;
END;
--> statement-breakpoint
CREATE TRIGGER mappings_failures_count AFTER UPDATE OF state ON mappings WHEN NEW.state = 'failed' BEGIN
  INSERT INTO source_failures (source, reason, n) VALUES (NEW.source, coalesce(NEW.failure_reason, 'unknown'), 1)
  ON CONFLICT (source, reason) DO UPDATE SET n = n + 1;
END;
