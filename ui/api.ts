/**
 * The dashboard's only way to the gateway: the JSON admin API on the same origin, with the token
 * from this tab's sessionStorage as the bearer header. Every failure becomes an ApiFailure whose
 * message is fit to show (the API's own error message when it sent one).
 */
const TOKEN_KEY = "legacy-image-gateway.token";

export const token = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (value: string) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

export interface ResultInfo {
  cursor: string | null;
  count: number;
}

interface Envelope<T> {
  success: boolean;
  errors?: { code: number; message: string }[];
  result: T;
  result_info?: ResultInfo;
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
  /** "401 · 1100: Invalid bearer token" */
  describe(): string {
    if (this.status === 0) return this.message;
    return `${this.status}${this.code ? ` · ${this.code}` : ""}: ${this.message}`;
  }
}

/** Called on any 401, so the page can forget the token and ask again. */
let onUnauthorized: (failure: ApiFailure) => void = () => undefined;
export const whenUnauthorized = (fn: (failure: ApiFailure) => void) => {
  onUnauthorized = fn;
};

export async function api<T>(
  method: "GET" | "POST",
  path: string,
  body?: unknown,
): Promise<{ result: T; info?: ResultInfo }> {
  const headers: Record<string, string> = { authorization: `Bearer ${token.get() ?? ""}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(`/_admin${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      credentials: "omit",
    });
  } catch {
    throw new ApiFailure(0, 0, "The gateway could not be reached. Is it running?");
  }
  let envelope: Envelope<T> | null = null;
  try {
    envelope = (await res.json()) as Envelope<T>;
  } catch {
    // Not JSON: reported below with the status alone.
  }
  if (!res.ok || !envelope?.success) {
    const first = envelope?.errors?.[0];
    const failure = new ApiFailure(
      res.status,
      first?.code ?? 0,
      first?.message ?? `The gateway answered ${res.status} ${res.statusText}`.trim(),
    );
    if (res.status === 401) onUnauthorized(failure);
    throw failure;
  }
  return { result: envelope.result, info: envelope.result_info };
}

export const describeError = (err: unknown): string =>
  err instanceof ApiFailure ? err.describe() : `Unexpected error: ${String(err)}`;
