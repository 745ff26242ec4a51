/** Cloudflare Images' documented limits, named once. */

/** Largest original Images accepts (10 MiB). */
export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
/** Most bytes an image's user metadata may take, measured on its JSON. */
export const MAX_METADATA_BYTES = 1024;
/** Most characters a custom image id may have. */
export const MAX_IMAGE_ID_LENGTH = 1024;
