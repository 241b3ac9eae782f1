import type { ERROR_CODES } from "./status-map.ts";

/** One of the closed set of stable error codes; clients may switch on them. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Where a problem was found, so a user can fix the input: row and column are 1-based. */
export interface ErrorDetails {
  field?: string;
  row?: number;
  column?: string;
  value?: string;
  /** Any further structured facts (e.g. `valid` targets, `downstream` names). */
  [key: string]: unknown;
}

/**
 * The mesh's one error type. It travels across gRPC as a status plus `x-error-code` and
 * `x-error-details` metadata, and is mapped to an HTTP status only at the gateway.
 */
export class MeshError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "MeshError";
    this.code = code;
    this.details = details;
  }

  toJSON(): { code: ErrorCode; message: string; details: ErrorDetails } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

export function isMeshError(value: unknown): value is MeshError {
  return value instanceof MeshError;
}
