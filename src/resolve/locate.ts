import { config } from "../config";
import { fieldError } from "../http/body";
import { matchableSources } from "../sources/registry";
import { type Target, targetFor } from "./resolve";

/** Parses a legacy URL given to the admin API exactly as the redirect path would. */
export async function locateUrl(env: Env, raw: string, field = "url"): Promise<Target> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw fieldError(field, "is not an absolute URL");
  }
  const cfg = config(env);
  const result = targetFor(cfg, await matchableSources(env, cfg.sourcesCacheTtl), url);
  if (!result.ok) throw fieldError(field, result.error.message);
  return result.target;
}
