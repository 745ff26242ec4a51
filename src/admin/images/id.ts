import { apiError } from "../../errors";
import { decodeOnce } from "../../parsers/url-encoding";

/**
 * Image ids in paths. Ids may contain `/` (`legacy/products/shoe 1`), so the route parameter is
 * greedy (`/v1/:id+`) and takes the rest of the path, which is then percent-decoded once. Both
 * spellings therefore name the same image:
 *   /images/v1/legacy/products/shoe%201        (slashes as they are)
 *   /images/v1/legacy%2Fproducts%2Fshoe%201    (slashes encoded, as the official SDK sends them)
 *
 * `/blob`: a path whose last segment is a literal, unencoded `blob` is the blob endpoint of the id
 * before it — `/v1/a/b/blob` is the bytes of `a/b`, never the details of an image `a/b/blob`. An
 * image whose id ends in `/blob` is reached by encoding that slash (`/v1/a%2Fblob`, and its bytes
 * at `/v1/a%2Fblob/blob`); the SDK always does. The rule is decided on the raw path, before
 * decoding, so an encoded `%2Fblob` never counts as the suffix.
 */
export function imageIdParam(raw: string | undefined): string {
  const id = raw === undefined ? null : decodeOnce(raw);
  if (!id) throw apiError("bad_request", "The image id in the path is empty or not valid percent-encoding");
  return id;
}
