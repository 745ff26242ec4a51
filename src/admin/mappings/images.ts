import { fieldError } from "../../http/body";
import { imageDetails } from "../../images/binding";

/** 422 unless an image with this id exists in Images (503 when Images cannot be asked). */
export async function requireImage(env: Env, imageId: string, field = "imageId"): Promise<void> {
  if (!(await imageDetails(env, imageId))) throw fieldError(field, `no image with id '${imageId}'`);
}
