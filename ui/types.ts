/** The admin API's shapes the dashboard reads (SPEC "Admin API" and "Jobs"). */
export const STATES = ["ready", "ingesting", "failed", "missing", "orphaned"] as const;
export type State = (typeof STATES)[number];

export interface SourceStats {
  source: string;
  mappings: Record<State | "total", number>;
  hits: number;
  bytesIngested: number;
  failures: Record<string, number>;
}

export interface Stats {
  sources: SourceStats[];
  totals: Omit<SourceStats, "source">;
}

export interface Mapping {
  id: number;
  source: string;
  key: string;
  imageId: string | null;
  state: State;
  originUrl: string | null;
  attempts: number;
  lastError: string | null;
  failureReason?: string | null;
  retryAt: string | null;
  hits: number;
  updatedAt: string;
}

export interface Job {
  id: number | string;
  type: string;
  state: "queued" | "running" | "done" | "failed" | "cancelled";
  total: number;
  succeeded: number;
  failed: number;
  skipped: number;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface Resolution {
  source: string | null;
  key: string | null;
  options: Record<string, unknown>;
  variant: string | null;
  mapping: Mapping | null;
  action: "redirect" | "ingest" | "redirect-origin" | "not-found" | "invalid";
  location: string | null;
  error?: { code: number; message: string };
  dropped?: { param: string; reason: string }[];
}
