import { getDb } from "../../db/client";
import { deleteSource } from "../../db/sources";
import { apiError } from "../../errors";
import { ok } from "../../http/envelope";
import type { AdminHandler } from "../types";

/** DELETE /_admin/sources/:id[?cascade=true] — refuses (409) while mappings exist unless cascading. */
export const deleteSourceRoute: AdminHandler = async (req, env) => {
  const id = req.params.id!;
  const cascade = req.query.cascade === "true";
  const { outcome, mappingsDeleted } = await deleteSource(getDb(env, "primary"), id, cascade);
  if (outcome === "not_found") throw apiError("source_not_found", `No source with id '${id}'`);
  if (outcome === "has_mappings") {
    throw apiError(
      "source_has_mappings",
      `Source '${id}' still has mappings; delete them or pass ?cascade=true`,
    );
  }
  return ok({ id, mappingsDeleted });
};
