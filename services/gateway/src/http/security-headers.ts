import type { ServerResponse } from "node:http";

/**
 * Headers every gateway answer carries (REST, Connect, errors, health, 404, and the raw answers
 * to malformed requests). Every answer is API data, never a page: nothing may run, be framed or
 * be sniffed into a runnable type, no URL leaks to another site, and no shared cache keeps a
 * tenant's data. A route may still set its own `cache-control`.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
  "cross-origin-resource-policy": "same-origin",
  "cache-control": "no-store",
};

/** Sets the security headers before anything is written; `writeHead` merges them with its own. */
export function applySecurityHeaders(res: ServerResponse): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
}
