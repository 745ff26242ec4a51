import * as z from "zod/mini";
import { MAX_IMAGE_ID_LENGTH } from "./limits";

/** The shape of the ids Images generates. Images refuses custom ids of this shape. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for an id Images generated; every other id is a custom id (they cannot look like a UUID). */
export const isGeneratedId = (id: string) => UUID.test(id);

const CONTROL = /[\u0000-\u001f\u007f]/;

/** An image id a mapping points to: any id Images may hold, generated or custom. */
export const imageIdRef = z.string().check(
  z.minLength(1, "must not be empty"),
  z.maxLength(MAX_IMAGE_ID_LENGTH, `must be at most ${MAX_IMAGE_ID_LENGTH} characters`),
  z.refine((id) => !id.startsWith("/") && !id.endsWith("/"), "must not start or end with '/'"),
);

/**
 * A custom id as Images allows it: at most 1024 characters, not UUID-shaped, no leading or trailing
 * `/`. Also refused here, because such an id could not be addressed in a URL path (URL parsers
 * collapse dot segments) or would make a broken delivery URL: empty, `.` and `..` segments, and
 * control characters.
 */
export const customImageId = imageIdRef.check(
  z.refine((id) => !isGeneratedId(id), "must not have the shape of a UUID (those are Images-generated ids)"),
  z.refine(
    (id) => id.split("/").every((s) => s !== "" && s !== "." && s !== ".."),
    "must not contain empty, '.' or '..' segments",
  ),
  z.refine((id) => !CONTROL.test(id), "must not contain control characters"),
);
