import type { OnMiss, SourceKind } from "../db/schema";

export interface CloudinaryOptions {
  /** Cloud name; when the first path segment equals it, it is skipped (res.cloudinary.com style URLs). */
  cloudName?: string;
  /** `t_<name>` → Images named variant, e.g. `{ "t_thumb": "thumbnail" }` (keys with or without `t_`). */
  namedTransformations?: Record<string, string>;
}
export interface ImgixOptions {}
export interface S3Options {
  /** Bucket served by this source; required when the request host is not an amazonaws.com host. */
  bucket?: string;
}
export interface HttpOptions {
  /** Query parameters that are part of the asset key (e.g. a cache-busting `v`). */
  keepQuery?: string[];
}

export type SourceOptions = CloudinaryOptions & ImgixOptions & S3Options & HttpOptions;

export type RedirectStatus = 301 | 302 | 307 | 308;

/** A legacy system whose URLs the gateway answers for. */
export interface Source {
  id: string;
  kind: SourceKind;
  host: string | null;
  pathPrefix: string;
  origin: string | null;
  onMiss: OnMiss;
  redirectStatus: RedirectStatus;
  defaultVariant: string;
  requireSignedURLs: boolean;
  options: SourceOptions;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}
