import { describe, expect, it } from "vitest";
import { jsonArrayBuffer } from "./json-array-buffer.ts";

describe("jsonArrayBuffer", () => {
  it("joins JSON texts into one array, as UTF-8 bytes", () => {
    const elements = ['{"a":1}', '"é→😀"', "[]", "null"];
    const bytes = jsonArrayBuffer(elements, "json");
    expect(bytes.toString("utf8")).toBe(`[${elements.join(",")}]`);
    expect(JSON.parse(bytes.toString("utf8"))).toEqual([{ a: 1 }, "é→😀", [], null]);
  });

  it("puts jsonb's format version first", () => {
    const bytes = jsonArrayBuffer(['{"b":[1,2]}'], "jsonb");
    expect(bytes[0]).toBe(1);
    expect(bytes.subarray(1).toString("utf8")).toBe('[{"b":[1,2]}]');
  });

  it("writes an empty array", () => {
    expect(jsonArrayBuffer([], "json").toString("utf8")).toBe("[]");
  });
});
