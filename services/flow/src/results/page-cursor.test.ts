import { describe, expect, it } from "vitest";
import { decodePageCursor, encodePageCursor, pageLimit, toPage } from "./page-cursor.ts";

const invalid = expect.objectContaining({ code: "INVALID_ARGUMENT" });

describe("page cursors", () => {
  it("round-trips the last key and is opaque base64url", () => {
    const cursor = encodePageCursor("assets", 4_000);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodePageCursor("assets", cursor)).toBe(4_000);
  });

  it("refuses a cursor of another list", () => {
    expect(() => decodePageCursor("issues", encodePageCursor("assets", 5))).toThrow(invalid);
  });

  it.each([
    "",
    "garbage!",
    "not-a-cursor",
    Buffer.from('["assets",-1]').toString("base64url"),
    Buffer.from('["assets",1.5]').toString("base64url"),
    Buffer.from('["assets","5"]').toString("base64url"),
    Buffer.from('["assets",1e300]').toString("base64url"),
    Buffer.from('["assets",5,6]').toString("base64url"),
    Buffer.from('{"after":5}').toString("base64url"),
    "A".repeat(500),
  ])("refuses the forged cursor %j", (text) => {
    expect(() => decodePageCursor("assets", text)).toThrow(invalid);
  });
});

describe("pageLimit", () => {
  it("defaults to 100, caps at 1,000 and refuses a negative limit", () => {
    expect(pageLimit(0)).toBe(100);
    expect(pageLimit(7)).toBe(7);
    expect(pageLimit(5_000)).toBe(1_000);
    expect(() => pageLimit(-1)).toThrow(invalid);
  });
});

describe("toPage", () => {
  it("points the next cursor after the last returned row only when more exist", () => {
    const more = toPage("issues", [{ id: 3 }, { id: 9 }, { id: 12 }], 2, (r) => r.id);
    expect(more.items).toEqual([{ id: 3 }, { id: 9 }]);
    expect(decodePageCursor("issues", more.nextCursor)).toBe(9);
    expect(toPage("issues", [{ id: 3 }, { id: 9 }], 2, (r) => r.id).nextCursor).toBe("");
  });
});
