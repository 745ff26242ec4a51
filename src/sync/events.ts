import { config } from "../config";
import { getDb } from "../db/client";
import { markGone, type MoveOutcome, moveMapping } from "../db/refresh";
import type { MappingRow } from "../db/schema";
import { originUrlForKey } from "../resolve/origin";
import type { Source } from "../sources/types";
import { retirement } from "./refresh";

/**
 * What a signed notification from the origin's side (Cloudinary, or a relay of S3 events) does
 * beyond a refresh. Both are idempotent: delivered twice, the second changes nothing.
 */

/**
 * The origin deleted these assets at `eventAt` (epoch ms): the source's `onOriginGone` applies to
 * their `ready` mappings — `keep` records the outcome, `orphan` orphans them and retires their
 * images. Returns how many mappings it changed.
 */
export async function originGone(env: Env, source: Source, keys: string[], eventAt: number): Promise<number> {
  if (keys.length === 0) return 0;
  const now = Date.now();
  const message =
    source.onOriginGone === "orphan"
      ? "deleted at the origin (onOriginGone: orphan)"
      : "deleted at the origin; the migrated copy is kept";
  const affected = await markGone(
    getDb(env, "primary"),
    source.id,
    [...new Set(keys)],
    source.onOriginGone,
    message,
    new Date(eventAt).toISOString(),
    retirement(config(env), now),
  );
  return affected.length;
}

/**
 * The origin renamed an asset: its mapping moves to the new key with its image; a mapping already
 * at the new key is replaced (see moveMapping) and its image retired.
 */
export async function renameAsset(
  env: Env,
  source: Source,
  from: string,
  to: string,
): Promise<{ outcome: MoveOutcome; mapping: MappingRow | null }> {
  if (from === to) return { outcome: "not-mapped", mapping: null };
  return moveMapping(
    getDb(env, "primary"),
    { source: source.id, from, to, originUrl: originUrlForKey(source, to) },
    retirement(config(env), Date.now()),
  );
}
