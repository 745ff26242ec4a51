CREATE TABLE `mappings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`source` text NOT NULL,
	`key` text NOT NULL,
	`image_id` text,
	`state` text NOT NULL,
	`origin_url` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`lease_owner` text,
	`lease_until` integer,
	`retry_at` integer,
	`bytes` integer,
	`hits` integer DEFAULT 0 NOT NULL,
	`last_hit_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`source`) REFERENCES `sources`(`id`) ON UPDATE no action ON DELETE no action,
	CONSTRAINT "mappings_state_check" CHECK("mappings"."state" IN ('ready','ingesting','failed','missing','orphaned'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mappings_source_key` ON `mappings` (`source`,`key`);--> statement-breakpoint
CREATE INDEX `mappings_image_id` ON `mappings` (`image_id`);--> statement-breakpoint
CREATE TABLE `sources` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`host` text,
	`path_prefix` text DEFAULT '/' NOT NULL,
	`origin` text,
	`on_miss` text NOT NULL,
	`redirect_status` integer DEFAULT 301 NOT NULL,
	`default_variant` text DEFAULT 'public' NOT NULL,
	`require_signed_urls` integer DEFAULT false NOT NULL,
	`options` text DEFAULT '{}' NOT NULL,
	`enabled` integer DEFAULT true NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL
);
