import { MeshError } from "@migrate/errors";

/** Where a page ended: the last flow's creation time (microsecond text) and id. */
export interface FlowCursor {
  createdAt: string;
  id: string;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Cursors are opaque to clients: base64url of the position, never to be parsed by them. */
export function encodeCursor(cursor: FlowCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString("base64url");
}

export function decodeCursor(text: string): FlowCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, "base64url").toString("utf8"));
    if (Array.isArray(value) && value.length === 2) {
      const [createdAt, id] = value;
      if (typeof createdAt === "string" && ISO.test(createdAt) && typeof id === "string" && UUID.test(id)) {
        return { createdAt, id };
      }
    }
  } catch {
    // Falls through to the same error as a well-formed but wrong cursor.
  }
  throw new MeshError("INVALID_ARGUMENT", "invalid cursor: pass next_cursor from a previous page unchanged", {
    field: "cursor",
  });
}

export function isUuid(value: string): boolean {
  return UUID.test(value);
}
