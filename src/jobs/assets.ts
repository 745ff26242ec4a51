import * as z from "zod/mini";
import type { Config } from "../config";
import { config } from "../config";
import { getDb } from "../db/client";
import type { NewItem } from "../db/jobs";
import { listSources } from "../db/sources";
import { apiError } from "../errors";
import { fieldError, validate } from "../http/body";
import { validateKey } from "../parsers/key";
import { originPathForKey, originUrlForKey } from "../resolve/origin";
import { type Target, targetFor } from "../resolve/resolve";
import { matchableSources } from "../sources/registry";
import { sourceId } from "../sources/schema";
import type { Source } from "../sources/types";
import { entriesFromJson, type RawEntry } from "./input";
import type { JobPlan, JobRequest } from "./kind";

/**
 * Jobs over legacy assets (backfill, refresh): each item is a legacy URL or a `{source, key}`,
 * validated exactly as the single-asset admin routes validate them. Bad entries become items that
 * are `failed` at once (reason `invalid_input`, the line named); an asset listed twice is `skipped`
 * (reason `duplicate`) after its first line. A request is refused whole only when its shape is
 * wrong, its source unknown, or not one entry is usable.
 */
const assetsBody = z.object({
  urls: z.optional(z.array(z.unknown())),
  source: z.optional(sourceId),
  keys: z.optional(z.array(z.unknown())),
});

export async function planAssetItems(env: Env, request: JobRequest): Promise<JobPlan> {
  const body = validate(assetsBody, request.body);
  const all = await listSources(getDb(env, "primary"));
  const byId = new Map(all.map((s) => [s.id, s]));
  if (body.source !== undefined) {
    const s = byId.get(body.source);
    if (!s) throw fieldError("source", `no source with id '${body.source}'`);
    if (!s.enabled) throw fieldError("source", `source '${body.source}' is disabled`);
  }
  let entries = request.entries;
  if (!entries) {
    if ((body.urls === undefined) === (body.keys === undefined)) {
      throw fieldError("urls", "give either urls, or source and keys");
    }
    if (body.keys !== undefined && body.source === undefined)
      throw fieldError("source", "is required with keys");
    entries = entriesFromJson(body);
  }
  if (entries.length === 0) {
    throw fieldError(body.keys !== undefined ? "keys" : "urls", "give at least one item");
  }

  const cfg = config(env);
  const ordered = await matchableSources(env, cfg.sourcesCacheTtl);
  const seen = new Map<string, number>();
  const items: NewItem[] = [];
  let usable = 0;
  for (const e of entries) {
    const checked = checkEntry(cfg, ordered, byId, e);
    const base = { ref: String(e.line), line: e.line, input: inputOf(e) };
    if (!checked.ok) {
      items.push({ ...base, state: "failed", reason: checked.reason, error: checked.message });
      continue;
    }
    const identity = `${checked.source}\u0000${checked.key}`;
    const first = seen.get(identity);
    if (first !== undefined) {
      items.push({ ...base, state: "skipped", reason: "duplicate", error: `same asset as line ${first}` });
      continue;
    }
    seen.set(identity, e.line);
    items.push({ ...base, state: "pending" });
    usable++;
  }
  if (usable === 0) {
    const bad = items.filter((i) => i.state === "failed");
    const more = bad.length > 1 ? ` (and ${bad.length - 1} more)` : "";
    throw apiError("validation_failed", `no usable item: line ${bad[0]!.line}: ${bad[0]!.error}${more}`);
  }
  return {
    params: { items: entries.length, ...(body.source ? { source: body.source } : {}) },
    items,
  };
}

const inputOf = (e: RawEntry): Record<string, unknown> =>
  e.url !== undefined ? { url: e.url } : e.key !== undefined ? { source: e.source, key: e.key } : {};

type Checked = { ok: true; source: string; key: string } | { ok: false; reason: string; message: string };

function checkEntry(cfg: Config, ordered: Source[], byId: Map<string, Source>, e: RawEntry): Checked {
  const invalid = (message: string): Checked => ({ ok: false, reason: "invalid_input", message });
  if (e.error !== undefined) return invalid(e.error);
  const t = resolveTarget(cfg, ordered, inputOf(e), byId);
  if (!t.ok) return t;
  if (!t.target.originUrl) {
    return { ok: false, reason: "no_origin", message: `source '${t.target.source.id}' has no origin` };
  }
  return { ok: true, source: t.target.source.id, key: t.target.asset.key };
}

export type ItemTarget = { ok: true; target: Target } | { ok: false; reason: string; message: string };

/** The asset an item names, parsed as the redirect path parses it (enabled sources only). */
export function resolveTarget(
  cfg: Config,
  ordered: Source[],
  input: Record<string, unknown>,
  byId?: Map<string, Source>,
): ItemTarget {
  const invalid = (message: string): ItemTarget => ({ ok: false, reason: "invalid_input", message });
  if (typeof input.url === "string") {
    let url: URL;
    try {
      url = new URL(input.url);
    } catch {
      return invalid("url: is not an absolute URL");
    }
    const t = targetFor(cfg, ordered, url);
    return t.ok ? t : invalid(`url: ${t.error.message}`);
  }
  if (typeof input.source !== "string" || typeof input.key !== "string")
    return invalid("give a url, or source and key");
  const source = (byId ?? new Map(ordered.map((s) => [s.id, s]))).get(input.source);
  if (!source) return invalid(`source: no source with id '${input.source}'`);
  if (!source.enabled) return invalid(`source: source '${source.id}' is disabled`);
  const bad = validateKey(input.key);
  if (bad) return invalid(`key: ${bad.message}`);
  return {
    ok: true,
    target: {
      source,
      asset: {
        ok: true,
        key: input.key,
        options: {},
        dropped: [],
        originPath: originPathForKey(source, input.key),
      },
      variant: source.defaultVariant,
      originUrl: originUrlForKey(source, input.key),
    },
  };
}

/** `resolveTarget` for an item being worked on: with this isolate's copy of the sources. */
export async function itemTarget(env: Env, input: Record<string, unknown>): Promise<ItemTarget> {
  const cfg = config(env);
  return resolveTarget(cfg, await matchableSources(env, cfg.sourcesCacheTtl), input);
}
