import { apiError } from "../errors";
import type { Source } from "../sources/types";

/**
 * A source's webhook secret is a Worker secret it names (`options.webhookSecret`); D1 holds the
 * name only. Unnamed: the source has no hooks (404). Named but not set: 503 until it is.
 */
export function webhookSecret(env: Env, source: Source): string {
  const name = source.options.webhookSecret;
  if (!name)
    throw apiError("webhook_not_configured", `Source '${source.id}' has no webhook (options.webhookSecret)`);
  const value = secretValue(env, name);
  if (value === null)
    throw apiError("webhook_secret_unset", "This source's webhook secret is not set on the gateway");
  return value;
}

function secretValue(env: Env, name: string): string | null {
  const value = (env as unknown as Record<string, unknown>)[name];
  return typeof value === "string" && value !== "" ? value : null;
}

/** Envelope `messages` for a source just stored: a named secret that is not set yet. */
export function webhookWarnings(env: Env, source: Pick<Source, "options">): string[] {
  const name = source.options.webhookSecret;
  if (!name || secretValue(env, name) !== null) return [];
  return [
    `options.webhookSecret: no Worker secret named '${name}' is set; this source's webhooks answer 503 until it is (wrangler secret put ${name})`,
  ];
}
