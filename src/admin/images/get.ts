import { ok } from "../../http/envelope";
import type { AdminHandler } from "../types";
import { requireHostedImage } from "../../images/binding";
import { imageIdParam } from "./id";
import { toRestImage } from "./shape";

/** GET /images/v1/:id — 404 `image_not_found` when there is no such image. */
export const getImageRoute: AdminHandler = async (req, env) =>
  ok(toRestImage(await requireHostedImage(env, imageIdParam(req.params.id))));
