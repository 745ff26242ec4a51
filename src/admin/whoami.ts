import { ok } from "../http/envelope";
import type { AdminHandler } from "./types";

/**
 * GET /_admin/whoami — `{ role: "admin" | "read" }` for the presented token (401 for a wrong one),
 * so a client such as the dashboard can hide what the token may not do.
 */
export const whoamiRoute: AdminHandler = async (req) => ok({ role: req.role });
