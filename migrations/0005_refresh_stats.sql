-- Refresh counters for GET /_admin/stats, kept by a trigger like the other counters (0003): every
-- write of a non-null refresh_outcome is one refresh (only refreshes write that column), so the
-- counter moves in the same statement as the refresh's own write — including a repeated outcome.
CREATE TRIGGER mappings_refresh_count AFTER UPDATE OF refresh_outcome ON mappings
WHEN NEW.refresh_outcome IS NOT NULL BEGIN
  INSERT INTO source_stats (source) VALUES (NEW.source) ON CONFLICT (source) DO NOTHING;
  UPDATE source_stats SET
    refresh_unchanged = refresh_unchanged + (NEW.refresh_outcome = 'unchanged'),
    refresh_changed = refresh_changed + (NEW.refresh_outcome = 'changed'),
    refresh_gone = refresh_gone + (NEW.refresh_outcome = 'gone'),
    refresh_failed = refresh_failed + (NEW.refresh_outcome = 'failed')
  WHERE source = NEW.source;
END;
