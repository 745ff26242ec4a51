-- A job's counters, kept exact by triggers in the same statement as every item change, so reading
-- a job's progress is one row however many items it has. (Custom migration: drizzle-kit does not
-- model triggers.) `bytes` counts what items that succeeded or were skipped moved or found.
CREATE TRIGGER job_items_count_insert AFTER INSERT ON job_items BEGIN
  UPDATE jobs SET
    total = total + 1,
    succeeded = succeeded + (NEW.state = 'succeeded'),
    failed = failed + (NEW.state = 'failed'),
    skipped = skipped + (NEW.state = 'skipped'),
    bytes = bytes + coalesce(NEW.bytes, 0)
  WHERE id = NEW.job_id;
END;
--> statement-breakpoint
CREATE TRIGGER job_items_count_update AFTER UPDATE OF state, bytes ON job_items BEGIN
  UPDATE jobs SET
    succeeded = succeeded - (OLD.state = 'succeeded') + (NEW.state = 'succeeded'),
    failed = failed - (OLD.state = 'failed') + (NEW.state = 'failed'),
    skipped = skipped - (OLD.state = 'skipped') + (NEW.state = 'skipped'),
    bytes = bytes - coalesce(OLD.bytes, 0) + coalesce(NEW.bytes, 0)
  WHERE id = NEW.job_id;
END;
