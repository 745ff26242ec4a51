import type { SourceRow } from "../db/schema";

export type {
  CloudinaryOptions,
  HttpOptions,
  ImgixOptions,
  RedirectStatus,
  S3Options,
  SourceOptions,
} from "./schema";

/** A legacy system whose URLs the gateway answers for: a `sources` row as Drizzle reads it. */
export type Source = SourceRow;
