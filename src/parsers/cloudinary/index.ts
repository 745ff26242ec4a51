import type { CloudinaryOptions } from "../../sources/types";
import { success } from "../result";
import type { LegacyParser, ParseResult } from "../types";
import { encodeSegments } from "../url-encoding";
import { parseCloudinaryPath } from "./path";
import { translateChain } from "./transformation";

/**
 * Cloudinary delivery URLs: the path grammar (`./path`) gives the key and the transformation
 * components, the translation (`./transformation`) turns the components into Images options and
 * lists what it could not carry. The query (`_a`, …) is ignored. The original is
 * `image/upload/<public id>[.<ext>]`.
 */
export const parseCloudinaryUrl: LegacyParser = (url, rest, source): ParseResult => {
  const options: CloudinaryOptions = source.options ?? {};
  const path = parseCloudinaryPath(rest, url.hostname.toLowerCase(), options);
  if ("ok" in path) return path;
  const translation = translateChain(path.components, options.namedTransformations);
  const originPath = "image/upload/" + encodeSegments(path.key) + (path.ext ? "." + path.ext : "");
  return success(path.key, translation.options, originPath, translation.namedVariant, translation.dropped);
};
