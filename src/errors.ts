/**
 * The closed set of errors the gateway answers with. Every code has one HTTP status and one stable
 * number (documented in the README); the envelope is built from this table and nowhere else.
 */
export const ERRORS = {
  // Generic HTTP / request errors
  internal_error: { code: 1000, status: 500 },
  route_not_found: { code: 1001, status: 404 },
  method_not_allowed: { code: 1002, status: 405 },
  invalid_json: { code: 1003, status: 400 },
  validation_failed: { code: 1004, status: 422 },
  payload_too_large: { code: 1005, status: 413 },
  unsupported_media_type: { code: 1006, status: 415 },
  bad_request: { code: 1007, status: 400 },
  uri_too_long: { code: 1008, status: 414 },
  // Authentication
  unauthorized: { code: 1100, status: 401 },
  forbidden: { code: 1101, status: 403 },
  admin_disabled: { code: 1102, status: 503 },
  // Dependencies
  storage_unavailable: { code: 1200, status: 503 },
  images_unavailable: { code: 1201, status: 503 },
  // Redirect path (end users)
  no_source: { code: 2000, status: 404 },
  unsupported_asset: { code: 2001, status: 404 },
  unparseable_url: { code: 2002, status: 404 },
  invalid_key: { code: 2003, status: 404 },
  asset_not_found: { code: 2004, status: 404 },
  asset_missing_at_origin: { code: 2005, status: 404 },
  signing_unavailable: { code: 2006, status: 503 },
  // Admin resources
  source_not_found: { code: 3000, status: 404 },
  source_exists: { code: 3001, status: 409 },
  source_has_mappings: { code: 3002, status: 409 },
  mapping_not_found: { code: 3100, status: 404 },
  mapping_exists: { code: 3101, status: 409 },
  image_not_found: { code: 3200, status: 404 },
  image_exists: { code: 3201, status: 409 },
  // Ingestion
  origin_error: { code: 4000, status: 502 },
  origin_timeout: { code: 4001, status: 504 },
  origin_not_image: { code: 4002, status: 415 },
  origin_too_large: { code: 4003, status: 413 },
  upload_failed: { code: 4004, status: 502 },
  no_origin: { code: 4005, status: 422 },
  // Keeping in sync: webhooks and refresh
  webhook_signature_invalid: { code: 6000, status: 401 },
  webhook_timestamp_stale: { code: 6001, status: 401 },
  webhook_not_configured: { code: 6002, status: 404 },
  webhook_secret_unset: { code: 6003, status: 503 },
  refresh_in_progress: { code: 6004, status: 409 },
  // Dashboard and its routes
  not_retryable: { code: 7000, status: 409 },
  dashboard_not_built: { code: 7001, status: 503 },
  // Jobs
  job_not_found: { code: 5000, status: 404 },
  job_settled: { code: 5001, status: 409 },
  job_type_unavailable: { code: 5002, status: 422 },
  exports_unavailable: { code: 5003, status: 503 },
  export_not_found: { code: 5004, status: 422 },
  queue_unavailable: { code: 5005, status: 503 },
  job_conflict: { code: 5006, status: 409 },
} as const satisfies Record<string, { code: number; status: number }>;

export type ErrorName = keyof typeof ERRORS;

/** Longest error text stored or answered from an upstream (Images, an origin): enough to diagnose. */
const MAX_MESSAGE_CHARS = 500;
export const clipMessage = (text: string) => text.slice(0, MAX_MESSAGE_CHARS);

export interface ErrorBody {
  code: number;
  message: string;
}

/** An error that is answered as-is: its message is meant for the client. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: number;
  constructor(
    readonly kind: ErrorName,
    message: string,
    readonly headers?: HeadersInit,
  ) {
    super(message);
    this.status = ERRORS[kind].status;
    this.code = ERRORS[kind].code;
  }
  get body(): ErrorBody {
    return { code: this.code, message: this.message };
  }
}

export const apiError = (name: ErrorName, message: string, headers?: HeadersInit) =>
  new ApiError(name, message, headers);
