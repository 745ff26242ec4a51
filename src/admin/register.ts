import type { RouterType } from "itty-router";
import { apiError } from "../errors";
import type { AdminArgs, AdminHandler, AdminRequest } from "./types";

export type Methods = Partial<Record<"GET" | "POST" | "PATCH" | "DELETE", AdminHandler>>;
export type AdminRouter = RouterType<AdminRequest, AdminArgs>;

/**
 * Registers a table of routes in its order (put greedy paths last), each path followed by a 405
 * that names the allowed methods in `Allow`.
 */
export function registerRoutes(router: AdminRouter, routes: Record<string, Methods>, prefix = ""): void {
  for (const [path, methods] of Object.entries(routes)) {
    const full = prefix + path;
    const allow = Object.keys(methods).join(", ");
    for (const [method, handler] of Object.entries(methods)) {
      router[method.toLowerCase() as Lowercase<keyof Methods>](full, handler);
    }
    router.all(full, () => {
      throw apiError("method_not_allowed", `Allowed: ${allow}`, { allow });
    });
  }
}
