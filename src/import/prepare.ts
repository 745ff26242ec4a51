import { config } from "../config";
import { imageIdRef } from "../images/ids";
import { getDb } from "../db/client";
import type { ImportRow } from "../db/import";
import { listSources } from "../db/sources";
import { imageDetails } from "../images/binding";
import { validateKey } from "../parsers/key";
import { originUrlForKey } from "../resolve/origin";
import { targetFor } from "../resolve/resolve";
import { matchableSources } from "../sources/registry";
import type { RawRow, RowError } from "./rows";

const VERIFY_CONCURRENCY = 32;

/** The first problem of an image id, by the same schema as POST /_admin/mappings. */
function imageIdProblem(id: string): string | null {
  const parsed = imageIdRef.safeParse(id);
  return parsed.success ? null : `imageId: ${parsed.error.issues[0]?.message ?? "is not valid"}`;
}

/**
 * Turns raw rows into mappings to write, exactly as the single-mapping API would: URLs are parsed
 * by the redirect path's parsers, `{source, key}` rows are checked against the stored sources and
 * the key rules. A (source, key) given twice keeps its first row; later ones are errors. With
 * `verify`, each distinct image id is looked up in Images (slow for large imports: one call each).
 */
export async function prepareRows(
  env: Env,
  raw: RawRow[],
  errors: RowError[],
  verify: boolean,
): Promise<ImportRow[]> {
  const cfg = config(env);
  const [ordered, all] = await Promise.all([
    matchableSources(env, cfg.sourcesCacheTtl),
    listSources(getDb(env, "primary")),
  ]);
  const byId = new Map(all.map((s) => [s.id, s]));
  const seen = new Map<string, number>();
  const rows: ImportRow[] = [];

  for (const r of raw) {
    const err = (message: string) => errors.push({ line: r.line, message });
    const idProblem = imageIdProblem(r.imageId ?? "");
    if (idProblem) {
      err(idProblem);
      continue;
    }
    let row: ImportRow;
    if (r.url !== undefined && r.url !== "") {
      if (r.source !== undefined || r.key !== undefined) {
        err("url: give either url, or source and key");
        continue;
      }
      let url: URL;
      try {
        url = new URL(r.url);
      } catch {
        err("url: is not an absolute URL");
        continue;
      }
      const t = targetFor(cfg, ordered, url);
      if (!t.ok) {
        err(`url: ${t.error.message}`);
        continue;
      }
      row = {
        line: r.line,
        source: t.target.source.id,
        key: t.target.asset.key,
        imageId: r.imageId!,
        originUrl: t.target.originUrl,
      };
    } else {
      const source = r.source ? byId.get(r.source) : undefined;
      if (!source) {
        err(r.source ? `source: no source with id '${r.source}'` : "url: give either url, or source and key");
        continue;
      }
      const invalid = validateKey(r.key ?? "");
      if (invalid) {
        err(`key: ${invalid.message}`);
        continue;
      }
      row = {
        line: r.line,
        source: source.id,
        key: r.key!,
        imageId: r.imageId!,
        originUrl: originUrlForKey(source, r.key!),
      };
    }
    const identity = `${row.source}\u0000${row.key}`;
    const first = seen.get(identity);
    if (first !== undefined) {
      err(`duplicate of line ${first}: same source and key`);
      continue;
    }
    seen.set(identity, row.line);
    rows.push(row);
  }
  if (!verify) return rows;

  const ids = [...new Set(rows.map((r) => r.imageId))];
  const missing = new Set<string>();
  let next = 0;
  const worker = async () => {
    while (next < ids.length) {
      const id = ids[next++]!;
      if ((await imageDetails(env, id)) === null) missing.add(id);
    }
  };
  await Promise.all(Array.from({ length: Math.min(VERIFY_CONCURRENCY, ids.length) }, worker));
  return rows.filter((r) => {
    if (!missing.has(r.imageId)) return true;
    errors.push({ line: r.line, message: `imageId: no image with id '${r.imageId}'` });
    return false;
  });
}
