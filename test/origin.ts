/**
 * Legacy origins owned by the tests. `serveOrigin(host, handler)` answers every request to that
 * host (scheme and port ignored) and counts them; requests to other hosts are recorded as
 * unhandled and fail the test (see setup/origin-stub.ts).
 */
export type OriginHandler = (
  request: Request,
  signal: AbortSignal | undefined,
) => Response | Promise<Response>;

const handlers = new Map<string, OriginHandler>();
const requests = new Map<string, Request[]>();
let unhandled: string[] = [];

export function resetOrigins(): void {
  handlers.clear();
  requests.clear();
}

export function takeUnhandled(): string[] {
  const u = unhandled;
  unhandled = [];
  return u;
}

export interface Origin {
  /** Every request this origin received, in order. */
  requests: Request[];
  /** Requests received for a path (raw, percent-encoded), or all of them. */
  hits(pathname?: string): number;
}

export function serveOrigin(host: string, handler: OriginHandler): Origin {
  handlers.set(host, handler);
  const list: Request[] = [];
  requests.set(host, list);
  return {
    requests: list,
    hits: (pathname) =>
      pathname === undefined ? list.length : list.filter((r) => new URL(r.url).pathname === pathname).length,
  };
}

export async function stubbedFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const request = new Request(input, init);
  const host = new URL(request.url).hostname;
  const handler = handlers.get(host);
  if (!handler) {
    unhandled.push(request.url);
    throw new TypeError(`test stub: no origin registered for ${host}`);
  }
  requests.get(host)!.push(request);
  const signal = init?.signal ?? undefined;
  if (signal?.aborted) throw signal.reason;
  return handler(request, signal);
}

/** Resolves after `ms`, or rejects when `signal` aborts first (like a real slow network). */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(t);
      reject(signal.reason);
    });
  });
}

/**
 * A gate an origin handler can wait at: `pass(signal)` resolves once the test calls `open()`, or
 * rejects when `signal` aborts first (like a real stalled connection).
 */
export function gate(): { pass(signal?: AbortSignal): Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return {
    open,
    pass: (signal) =>
      new Promise((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        signal?.addEventListener("abort", () => reject(signal.reason));
        void opened.then(resolve);
      }),
  };
}

/** A body that yields `chunks` then stalls until `signal` aborts (the connection then errors). */
export function stallingBody(chunks: Uint8Array[], signal?: AbortSignal): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(c);
      signal?.addEventListener("abort", () => controller.error(signal.reason));
    },
  });
}

/** A body of `total` bytes starting with `head`, produced lazily in 64 KiB chunks. */
export function sizedBody(head: Uint8Array, total: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= total) return controller.close();
      const size = Math.min(64 * 1024, total - sent);
      const chunk = new Uint8Array(size);
      if (sent === 0) chunk.set(head.subarray(0, Math.min(head.length, size)));
      sent += size;
      controller.enqueue(chunk);
    },
  });
}
