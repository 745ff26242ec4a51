CREATE TABLE `hook_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `hook_deliveries_expiry` ON `hook_deliveries` (`expires_at`);--> statement-breakpoint
CREATE TABLE `retired_images` (
	`image_id` text PRIMARY KEY NOT NULL,
	`source` text NOT NULL,
	`key` text,
	`retired_at` text NOT NULL,
	`retire_after` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `retired_images_due` ON `retired_images` (`retire_after`);--> statement-breakpoint
ALTER TABLE `mappings` ADD `content_sha256` text;--> statement-breakpoint
ALTER TABLE `mappings` ADD `etag` text;--> statement-breakpoint
ALTER TABLE `mappings` ADD `last_modified` text;--> statement-breakpoint
ALTER TABLE `mappings` ADD `checked_at` text;--> statement-breakpoint
ALTER TABLE `mappings` ADD `refresh_outcome` text;--> statement-breakpoint
CREATE INDEX `mappings_revalidate` ON `mappings` (`source`,`state`,`checked_at`);--> statement-breakpoint
ALTER TABLE `source_stats` ADD `refresh_unchanged` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `source_stats` ADD `refresh_changed` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `source_stats` ADD `refresh_gone` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `source_stats` ADD `refresh_failed` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `sources` ADD `on_origin_gone` text DEFAULT 'keep' NOT NULL;--> statement-breakpoint
ALTER TABLE `sources` ADD `revalidate_after` integer;