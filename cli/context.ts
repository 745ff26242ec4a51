import { Client } from "./client.ts";
import { createOutput, type Output } from "./output.ts";

/** What every command gets: the API client and the output, from the global options. */
export interface Context {
  client: Client;
  out: Output;
  /** Sets the process's exit code (the largest one wins: a failure is never masked). */
  exit(code: number): void;
}

export interface GlobalOptions {
  url: string;
  token?: string;
  json?: boolean;
  retries: string;
}

export function createContext(opts: GlobalOptions): Context {
  const out = createOutput(Boolean(opts.json));
  const retries = Number(opts.retries);
  const client = new Client({
    url: opts.url,
    token: opts.token ?? process.env.GATEWAY_TOKEN,
    retries: Number.isInteger(retries) && retries >= 0 ? retries : 5,
    backoffMs: Number(process.env.GATEWAY_BACKOFF_MS ?? 500),
    onRetry: ({ attempt, waitMs, reason }) =>
      out.note(`  retry ${attempt} in ${(waitMs / 1000).toFixed(1)} s (${reason})`),
  });
  return {
    client,
    out,
    exit(code) {
      process.exitCode = Math.max(Number(process.exitCode ?? 0), code);
    },
  };
}
