import { getDb, nowIso } from "../../db/client";
import { insertSource } from "../../db/sources";
import { apiError } from "../../errors";
import { readJson } from "../../http/body";
import { ok } from "../../http/envelope";
import { webhookWarnings } from "../../hooks/secret";
import { sourceInput } from "../../sources/schema";
import type { AdminHandler } from "../types";

/** POST /_admin/sources — 201 with the stored source, 409 when the id is taken. */
export const createSourceRoute: AdminHandler = async (req, env) => {
  const input = await readJson(req, sourceInput);
  const now = nowIso();
  const source = { ...input, createdAt: now, updatedAt: now };
  if (!(await insertSource(getDb(env, "primary"), source))) {
    throw apiError("source_exists", `A source with id '${source.id}' already exists`);
  }
  return ok(source, { status: 201, messages: webhookWarnings(env, source) });
};
