import { MeshError } from "@migrate/errors";

// RFC 3986 path characters (pchar and "/") with well-formed percent escapes. Node's parser lets
// more through (e.g. `[`), and `new URL` then reads `//[` as an authority and throws.
const PATH = /^\/(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$/;
const BASE = "http://gateway";

/**
 * The request target as a URL for routing: the origin form (`/v1/flows?limit=5`), or the
 * absolute form (`http://host/v1/flows`) that RFC 9112 says servers must accept. Anything else,
 * or a path with characters outside RFC 3986, is INVALID_ARGUMENT (400), never an exception
 * escaping the request handler. The query is left to URLSearchParams, which never throws.
 */
export function parseRequestTarget(target: string | undefined): URL {
  const raw = target ?? "";
  let url: URL;
  try {
    if (/^https?:\/\//i.test(raw)) {
      const absolute = new URL(raw);
      url = new URL(`${BASE}${absolute.pathname}${absolute.search}`);
    } else {
      const path = raw.split("?", 1)[0] ?? "";
      if (!PATH.test(path)) throw new Error("not an origin-form path");
      // Concatenated, not resolved against a base: `//x` stays a path rather than a host.
      url = new URL(`${BASE}${raw}`);
    }
  } catch (error) {
    throw new MeshError(
      "INVALID_ARGUMENT",
      "malformed request target: send a path such as /v1/flows, with reserved characters percent-encoded",
      { field: "path", value: raw.slice(0, 64) },
      { cause: error },
    );
  }
  return url;
}

/** A path segment percent-decoded; malformed escapes (`%ff` is not UTF-8) are INVALID_ARGUMENT. */
export function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch (error) {
    throw new MeshError(
      "INVALID_ARGUMENT",
      "malformed percent-encoding in the path: escapes must encode UTF-8",
      { field: "path", value: segment.slice(0, 64) },
      { cause: error },
    );
  }
}
