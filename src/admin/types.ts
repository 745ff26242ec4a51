import type { IRequest } from "itty-router";
import type { AdminRole } from "../http/auth";

export type AdminRequest = IRequest & { role: AdminRole };
export type AdminArgs = [env: Env, ctx: ExecutionContext];
export type AdminHandler = (request: AdminRequest, env: Env, ctx: ExecutionContext) => Promise<Response>;
