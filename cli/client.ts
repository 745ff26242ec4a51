/**
 * The gateway's admin API from Node: the envelope, the bearer token, and retries with exponential
 * backoff (and `Retry-After`) on 429, 5xx and network errors. Everything else is answered as it is.
 */
export interface ApiErrorBody {
  code: number;
  message: string;
}

export interface Envelope<T> {
  success: boolean;
  errors: ApiErrorBody[];
  messages: string[];
  result: T;
  result_info?: { cursor: string | null; count: number };
}

export interface ClientOptions {
  url: string;
  token: string | undefined;
  /** Retries after the first attempt (429, 5xx, network errors). */
  retries: number;
  /** First backoff in ms; doubled per retry, with jitter, at most 30 s. */
  backoffMs?: number;
  /** Called before each retry (for the progress output). */
  onRetry?: (info: { attempt: number; waitMs: number; reason: string }) => void;
}

/** A request the gateway refused (4xx), or one that kept failing after every retry. */
export class GatewayError extends Error {
  readonly status: number | null;
  readonly errors: ApiErrorBody[];
  constructor(message: string, status: number | null, errors: ApiErrorBody[] = []) {
    super(message);
    this.status = status;
    this.errors = errors;
  }
}

const MAX_BACKOFF_MS = 30_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class Client {
  readonly base: string;
  private readonly opts: ClientOptions;

  constructor(opts: ClientOptions) {
    this.opts = opts;
    this.base = opts.url.replace(/\/+$/, "");
  }

  async request<T>(
    method: string,
    path: string,
    init: {
      json?: unknown;
      body?: string;
      contentType?: string;
      query?: Record<string, string | undefined>;
    } = {},
  ): Promise<Envelope<T>> {
    const url = new URL(`${this.base}/_admin${path}`);
    for (const [k, v] of Object.entries(init.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
    const headers: Record<string, string> = { accept: "application/json" };
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    let body: string | undefined = init.body;
    if (init.json !== undefined) {
      body = JSON.stringify(init.json);
      headers["content-type"] = "application/json";
    } else if (init.contentType) headers["content-type"] = init.contentType;

    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(url, { method, headers, body });
      } catch (err) {
        const reason = `network error: ${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}`;
        if (attempt > this.opts.retries) throw new GatewayError(`${method} ${path}: ${reason}`, null);
        await this.backoff(attempt, null, reason);
        continue;
      }
      if (res.status === 429 || res.status >= 500) {
        const text = await res.text().catch(() => "");
        const reason = `${res.status} ${firstError(text) ?? res.statusText}`;
        if (attempt > this.opts.retries) {
          throw new GatewayError(
            `${method} ${path}: ${reason} (after ${attempt} attempts)`,
            res.status,
            errorsOf(text),
          );
        }
        await this.backoff(attempt, res.headers.get("retry-after"), reason);
        continue;
      }
      const text = await res.text();
      let envelope: Envelope<T>;
      try {
        envelope = JSON.parse(text) as Envelope<T>;
      } catch {
        throw new GatewayError(
          `${method} ${path}: ${res.status}, not a gateway answer: ${text.slice(0, 200)}`,
          res.status,
        );
      }
      if (!res.ok || !envelope.success) {
        const first = envelope.errors?.[0];
        throw new GatewayError(
          `${method} ${path}: ${res.status} ${first ? `${first.message} (code ${first.code})` : res.statusText}`,
          res.status,
          envelope.errors ?? [],
        );
      }
      return envelope;
    }
  }

  get<T>(path: string, query?: Record<string, string | undefined>) {
    return this.request<T>("GET", path, { query });
  }

  private async backoff(attempt: number, retryAfter: string | null, reason: string): Promise<void> {
    const base = (this.opts.backoffMs ?? 500) * 2 ** (attempt - 1);
    let waitMs = Math.min(MAX_BACKOFF_MS, base / 2 + Math.random() * (base / 2));
    const after = retryAfter === null ? NaN : Number(retryAfter);
    if (Number.isFinite(after) && after >= 0) waitMs = Math.min(60_000, after * 1000);
    this.opts.onRetry?.({ attempt, waitMs, reason });
    await sleep(waitMs);
  }
}

function errorsOf(text: string): ApiErrorBody[] {
  try {
    return (JSON.parse(text) as Envelope<unknown>).errors ?? [];
  } catch {
    return [];
  }
}
const firstError = (text: string) => errorsOf(text)[0]?.message;
