/** Error codes of the API contract (API.md) and the HTTP status each one maps to. */
export const errorStatus = {
  invalid_argument: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  already_exists: 409,
  aborted: 409,
  /** A one-time capability (an approval link) that was used or has expired. */
  gone: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  resource_exhausted: 429,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export interface AppErrorOptions {
  /** Overrides the code's default status (resource_exhausted is 429 or 503). */
  status?: 429 | 503;
  /** Sent as `Retry-After` when set. */
  retryAfterSeconds?: number;
  /** Extra response headers, e.g. `WWW-Authenticate`. */
  headers?: Record<string, string>;
}

/** An error that reaches the client as `{code, message}` with the code's status. */
export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly options: AppErrorOptions = {},
  ) {
    super(message);
    this.name = "AppError";
    this.status = options.status ?? errorStatus[code];
  }
}

/** Shapes an AppError as the contract's JSON error response. */
export function errorResponse(error: AppError): Response {
  const headers = new Headers({ "content-type": "application/json; charset=utf-8" });
  if (error.options.retryAfterSeconds !== undefined) {
    headers.set("retry-after", String(error.options.retryAfterSeconds));
  }
  for (const [name, value] of Object.entries(error.options.headers ?? {})) headers.set(name, value);
  return new Response(JSON.stringify({ code: error.code, message: error.message }), {
    status: error.status,
    headers,
  });
}

export const invalidArgument = (message: string) => new AppError("invalid_argument", message);
export const notFound = (message: string) => new AppError("not_found", message);
