import * as z from "zod/mini";
import { MAX_IMAGE_ID_LENGTH } from "./limits";

/** The shape of the ids Images generates. Images refuses custom ids of this shape. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for an id Images generated; every other id is a custom id (they cannot look like a UUID). */
export const isGeneratedId = (id: string) => UUID.test(id);

const CONTROL = /[\u0000-\u001f\u007f]/;

const segmentsOk = (id: string) => id.split("/").every((s) => s !== "" && s !== "." && s !== "..");

/**
 * An image id a mapping points to: any id Images may hold, generated or custom, with the custom-id
 * segment rules (SPEC "Limits…"): no empty, `.` or `..` segment — a browser would resolve the
 * delivery URL to another image — and no control characters (they cannot go in a Location).
 */
export const imageIdRef = z.string().check(
  z.minLength(1, "must not be empty"),
  z.maxLength(MAX_IMAGE_ID_LENGTH, `must be at most ${MAX_IMAGE_ID_LENGTH} characters`),
  z.refine((id) => !id.startsWith("/") && !id.endsWith("/"), "must not start or end with '/'"),
  z.refine(segmentsOk, "must not contain empty, '.' or '..' segments"),
  z.refine((id) => !CONTROL.test(id), "must not contain control characters"),
);

/**
 * A custom id as Images allows it: at most 1024 characters, not UUID-shaped, no leading or trailing
 * `/` — and, like every id a mapping may point to, no empty, `.` or `..` segments (URL parsers
 * collapse dot segments) and no control characters.
 */
export const customImageId = imageIdRef.check(
  z.refine((id) => !isGeneratedId(id), "must not have the shape of a UUID (those are Images-generated ids)"),
);
