CREATE INDEX `mappings_source_id` ON `mappings` (`source`,`id`);--> statement-breakpoint
CREATE INDEX `mappings_source_state_id` ON `mappings` (`source`,`state`,`id`);--> statement-breakpoint
CREATE INDEX `mappings_state_id` ON `mappings` (`state`,`id`);--> statement-breakpoint
CREATE INDEX `mappings_state_retry_at` ON `mappings` (`state`,`retry_at`);