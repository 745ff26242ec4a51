/** The admin API from the test's side (Node's fetch), to set scenes up and to compare with the page. */
import { inject } from "vitest";
import { ADMIN_TOKEN } from "./tokens";

export const gatewayUrl = () => inject("gateway");

export async function adminApi<T = any>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${gatewayUrl()}/_admin${path}`, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN_TOKEN}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const envelope = (await res.json()) as { success: boolean; result: T; errors: unknown[] };
  if (!envelope.success)
    throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(envelope.errors)}`);
  return envelope.result;
}

/** Waits (bounded) until no mapping is mid-ingest, so numbers stand still while a test reads them. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 120; i++) {
    const stats = await adminApi<{ totals: { mappings: { ingesting: number } } }>("GET", "/stats");
    if (stats.totals.mappings.ingesting === 0) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("mappings still ingesting after 30 s");
}
