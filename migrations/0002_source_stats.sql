CREATE TABLE `source_failures` (
	`source` text NOT NULL,
	`reason` text NOT NULL,
	`n` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`source`, `reason`)
);
--> statement-breakpoint
CREATE TABLE `source_stats` (
	`source` text PRIMARY KEY NOT NULL,
	`ready` integer DEFAULT 0 NOT NULL,
	`ingesting` integer DEFAULT 0 NOT NULL,
	`failed` integer DEFAULT 0 NOT NULL,
	`missing` integer DEFAULT 0 NOT NULL,
	`orphaned` integer DEFAULT 0 NOT NULL,
	`total` integer DEFAULT 0 NOT NULL,
	`hits` integer DEFAULT 0 NOT NULL,
	`bytes_ingested` integer DEFAULT 0 NOT NULL
);
