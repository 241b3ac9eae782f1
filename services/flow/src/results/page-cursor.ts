import { MeshError } from "@migrate/errors";

/** What a result cursor pages over; a cursor of one list is refused by another. */
export type PageKind = "assets" | "dependencies" | "issues";

export const DEFAULT_RESULT_PAGE = 100;
export const MAX_RESULT_PAGE = 1_000;

// Row numbers and ids are int4/int8 keys; anything beyond a safe integer was not minted here.
const MAX_KEY = Number.MAX_SAFE_INTEGER;

/** Opaque to clients: base64url of the list's kind and the last key returned. */
export function encodePageCursor(kind: PageKind, after: number): string {
  return Buffer.from(JSON.stringify([kind, after])).toString("base64url");
}

/** The key a page continues after; anything but an unchanged `next_cursor` of the same list is refused. */
export function decodePageCursor(kind: PageKind, text: string): number {
  try {
    if (/^[A-Za-z0-9_-]{1,200}$/.test(text)) {
      const value: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
      if (Array.isArray(value) && value.length === 2 && value[0] === kind) {
        const after = value[1];
        if (Number.isSafeInteger(after) && after >= 0 && after <= MAX_KEY) return after;
      }
    }
  } catch {
    // Falls through to the same error as a well-formed but wrong cursor.
  }
  throw new MeshError("INVALID_ARGUMENT", "invalid cursor: pass next_cursor from a previous page unchanged", {
    field: "cursor",
  });
}

/** 0 means the default page; larger requests are capped rather than refused. */
export function pageLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 0) {
    throw new MeshError("INVALID_ARGUMENT", `limit must be between 0 and ${MAX_RESULT_PAGE}`, { field: "limit" });
  }
  return Math.min(limit || DEFAULT_RESULT_PAGE, MAX_RESULT_PAGE);
}

/**
 * One keyset page from `rows` fetched with `limit + 1`: the extra row only says another page
 * exists, so the next cursor points after the last row returned.
 */
export function toPage<T>(kind: PageKind, rows: T[], limit: number, key: (row: T) => number) {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  const nextCursor = rows.length > limit && last !== undefined ? encodePageCursor(kind, key(last)) : "";
  return { items, nextCursor };
}
