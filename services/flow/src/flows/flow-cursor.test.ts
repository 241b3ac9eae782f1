import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "./flow-cursor.ts";

describe("flow cursors", () => {
  it("round-trips a position", () => {
    const cursor = { createdAt: "2026-11-26T10:00:00.123456Z", id: "0b7c2a7e-8f51-4a3f-9c0a-6c1d2e3f4a5b" };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it.each(["", "garbage", Buffer.from('["x","y"]').toString("base64url"), Buffer.from("{}").toString("base64url")])(
    "refuses %j as INVALID_ARGUMENT",
    (text) => {
      expect(() => decodeCursor(text)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    },
  );
});
