import type { Source } from "../sources/types";
import { originGone, renameAsset } from "../sync/events";
import { refreshAsset, type RefreshRequest, type RefreshResult } from "../sync/refresh";

/**
 * What a verified webhook asks for, decided before the answer and run after it (`waitUntil`), so
 * the sender hears back within a second. Every kind is idempotent: a replay changes nothing.
 */
export type HookWork =
  | { action: "ignored"; reason: string }
  | { action: "refresh" | "gone"; source: Source; keys: string[]; originUrl?: string }
  | { action: "rename"; source: Source; from: string; to: string };

/** A refresh that finds the asset busy (a revalidation, an ingest) is tried again a little later. */
const BUSY_RETRY_MS = [1000, 3000];

export async function runHookWork(env: Env, work: HookWork, eventAt: number): Promise<unknown> {
  switch (work.action) {
    case "ignored":
      return null;
    case "gone":
      return { gone: await originGone(env, work.source, work.keys, eventAt) };
    case "rename":
      return (await renameAsset(env, work.source, work.from, work.to)).outcome;
    case "refresh": {
      const results: string[] = [];
      for (const key of work.keys) {
        results.push(
          (await refreshPatiently(env, { source: work.source, key, originUrl: work.originUrl })).status,
        );
      }
      return results;
    }
  }
}

async function refreshPatiently(env: Env, req: RefreshRequest): Promise<RefreshResult> {
  for (let attempt = 0; ; attempt++) {
    const result = await refreshAsset(env, req);
    const wait = BUSY_RETRY_MS[attempt];
    if (result.status !== "busy" || wait === undefined) return result;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
