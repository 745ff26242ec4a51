import type { Config } from "../config";
import type { NewItem } from "../db/jobs";
import type { JobItemRow, JobRow } from "../db/schema";
import type { RawEntry } from "./input";
import type { ItemMessage, StepMessage } from "./messages";

/**
 * What a job type is made of. The framework (consumer.ts, start.ts) does the rest: storing items,
 * enqueueing, attempts and backoff, cancellation, counters, and moving the job on when its items
 * have settled. A new type is one file that exports a `JobKind`, registered in registry.ts.
 */
export interface JobKind {
  /** Validates a request and plans the job; throws a 4xx ApiError to refuse it whole. */
  plan(env: Env, request: JobRequest): Promise<JobPlan>;
  /** Works on one item. Thrown errors are retried by the queue (then dead-lettered). */
  item(work: ItemWork): Promise<ItemOutcome>;
  /** The job's own steps (listing pages, writing parts…), by the name in `StepMessage.s`. */
  steps?: Record<string, (ctx: StepContext) => Promise<void>>;
  /** When every item has settled: the stage to enter and the step that starts it; default: done. */
  afterItems?: { stage: string; step: StepMessage["s"] };
}

/** A request to create a job: the JSON body, or the item list of a text body with `?query` values. */
export interface JobRequest {
  body: Record<string, unknown>;
  /** Item entries parsed from a text body (lines, CSV, NDJSON). */
  entries?: RawEntry[];
}

export interface JobPlan {
  params: Record<string, unknown>;
  /** Items known up front (backfill, refresh); others discover theirs in steps. */
  items?: NewItem[];
  /** The step message that starts the job, when it starts with a step. */
  first?: Omit<StepMessage, "j">;
}

export interface ItemWork {
  env: Env;
  cfg: Config;
  job: JobRow;
  item: JobItemRow;
  message: ItemMessage;
  /** How many times the queue delivered this message (1 the first time). */
  deliveries: number;
  /** False once the job was cancelled or failed (one D1 read: call it before the costly step). */
  active(): Promise<boolean>;
}

export type ItemOutcome =
  | {
      state: "succeeded" | "skipped";
      reason?: string;
      error?: string;
      result?: string | null;
      bytes?: number | null;
    }
  /** `retry`: worth another attempt (after a backoff) while attempts remain. */
  | { state: "failed"; reason: string; error: string; retry?: boolean }
  /** Not now (another request holds the asset's lease): back in `delaySeconds`, no attempt counted. */
  | { state: "later"; delaySeconds: number };

export interface StepContext {
  env: Env;
  cfg: Config;
  job: JobRow;
  message: StepMessage;
  /** Every item of the job is known now: marks it so and moves it on once they have settled. */
  listed(): Promise<void>;
}

export const CANCELLED: ItemOutcome = {
  state: "skipped",
  reason: "cancelled",
  error: "the job was cancelled",
};
