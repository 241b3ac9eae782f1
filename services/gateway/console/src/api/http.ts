import { ApiError, apiErrorFrom } from "./api-error.ts";

let currentToken = "";
let onUnauthenticated: (reason: string) => void = () => {};

/** Set by the app shell: the token every call sends, and where a 401 leads. */
export function configureApi(options: { token: string; onUnauthenticated: (reason: string) => void }): void {
  currentToken = options.token;
  onUnauthenticated = options.onUnauthenticated;
}

export function authorization(): string {
  return `Bearer ${currentToken}`;
}

/** Sends the 401 to sign-in (with the gateway's reason) and passes every error on. */
export function reportAuthFailure(error: unknown): void {
  if (error instanceof ApiError && error.status === 401) onUnauthenticated(error.message);
}

/** One JSON call to the REST API; any error answer becomes an ApiError. */
export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  headers.set("authorization", authorization());
  if (init.body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers });
  } catch {
    throw new ApiError(0, "UNAVAILABLE", "the gateway cannot be reached");
  }
  const text = await res.text();
  const body = text ? safeJson(text) : null;
  if (!res.ok) {
    const error = apiErrorFrom(res.status, body);
    reportAuthFailure(error);
    throw error;
  }
  return body as T;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
