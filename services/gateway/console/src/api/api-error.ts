/** An error answer of the gateway: `{"error":{"code","message","details"}}` and its HTTP status. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: Record<string, unknown>;

  constructor(status: number, code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** Builds an ApiError from an answer body, whatever it holds. */
export function apiErrorFrom(status: number, body: unknown): ApiError {
  const error = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
  if (error && typeof error.code === "string" && typeof error.message === "string") {
    const details =
      typeof error.details === "object" && error.details ? (error.details as Record<string, unknown>) : {};
    return new ApiError(status, error.code, error.message, details);
  }
  return new ApiError(status, status >= 500 ? "UNAVAILABLE" : "UNKNOWN", `the gateway answered HTTP ${status}`);
}
