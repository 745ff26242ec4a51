import * as z from "zod/mini";
import type { Config } from "../config";
import { fieldError, validate } from "../http/body";
import { validateKey } from "../parsers/key";
import { targetFor } from "../resolve/resolve";
import type { Source } from "../sources/types";
import type { HookWork } from "./work";

/**
 * The gateway's own signed webhook, for any source (S3 event relays, imgix, CI pipelines):
 * `{ event: "image.updated" | "image.deleted", url | key }`. A `url` is parsed like the redirect
 * path and must belong to this source; a `key` is the asset key itself.
 */
const body = z
  .strictObject({
    event: z.enum(["image.updated", "image.deleted"]),
    url: z.optional(z.string().check(z.maxLength(8192))),
    key: z.optional(z.string()),
  })
  .check(z.refine((b) => (b.url === undefined) !== (b.key === undefined), "give exactly one of url and key"));

export function gatewayWork(cfg: Config, sources: Source[], source: Source, payload: unknown): HookWork {
  const b = validate(body, payload);
  let key: string;
  if (b.url !== undefined) {
    let url: URL;
    try {
      url = new URL(b.url);
    } catch {
      throw fieldError("url", "is not an absolute URL");
    }
    const t = targetFor(cfg, sources, url);
    if (!t.ok) throw fieldError("url", t.error.message);
    if (t.target.source.id !== source.id)
      throw fieldError("url", `belongs to source '${t.target.source.id}'`);
    key = t.target.asset.key;
  } else {
    const invalid = validateKey(b.key!);
    if (invalid) throw fieldError("key", invalid.message);
    key = b.key!;
  }
  return { action: b.event === "image.updated" ? "refresh" : "gone", source, keys: [key] };
}
