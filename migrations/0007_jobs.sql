CREATE TABLE `job_items` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`job_id` integer NOT NULL,
	`ref` text NOT NULL,
	`line` integer,
	`input` text NOT NULL,
	`state` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`reason` text,
	`error` text,
	`result` text,
	`bytes` integer,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`job_id`) REFERENCES `jobs`(`id`) ON UPDATE no action ON DELETE cascade,
	CONSTRAINT "job_items_state_check" CHECK("job_items"."state" IN ('pending','succeeded','failed','skipped'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX `job_items_job_ref` ON `job_items` (`job_id`,`ref`);--> statement-breakpoint
CREATE INDEX `job_items_job` ON `job_items` (`job_id`);--> statement-breakpoint
CREATE INDEX `job_items_job_state` ON `job_items` (`job_id`,`state`);--> statement-breakpoint
CREATE TABLE `jobs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`type` text NOT NULL,
	`state` text NOT NULL,
	`stage` text DEFAULT 'items' NOT NULL,
	`listed` integer DEFAULT false NOT NULL,
	`total` integer DEFAULT 0 NOT NULL,
	`succeeded` integer DEFAULT 0 NOT NULL,
	`failed` integer DEFAULT 0 NOT NULL,
	`skipped` integer DEFAULT 0 NOT NULL,
	`bytes` integer DEFAULT 0 NOT NULL,
	`params` text NOT NULL,
	`output` text DEFAULT '{}' NOT NULL,
	`error` text,
	`created_at` text NOT NULL,
	`started_at` text,
	`finished_at` text,
	`updated_at` text NOT NULL,
	CONSTRAINT "jobs_state_check" CHECK("jobs"."state" IN ('queued','running','done','failed','cancelled'))
);
--> statement-breakpoint
CREATE INDEX `jobs_state` ON `jobs` (`state`);