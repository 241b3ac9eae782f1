import { describe, expect, it } from "vitest";
import { parseCorrections } from "./mapping-corrections.ts";

describe("parseCorrections", () => {
  it("approves everything for no body, {} or an empty list", () => {
    expect(parseCorrections(undefined)).toEqual([]);
    expect(parseCorrections({})).toEqual([]);
    expect(parseCorrections({ corrections: [] })).toEqual([]);
  });

  it("reads corrections; a null or missing target keeps the column as a custom attribute", () => {
    expect(
      parseCorrections({
        corrections: [
          { source_field: "Computer", target_field: "hostname" },
          { source_field: "Notes", target_field: null },
          { source_field: "Tag" },
        ],
      }),
    ).toEqual([
      { sourceField: "Computer", targetField: "hostname" },
      { sourceField: "Notes", targetField: "" },
      { sourceField: "Tag", targetField: "" },
    ]);
  });

  it.each([
    [[1], "the body must be a JSON object"],
    [{ corrections: {} }, "corrections must be an array"],
    [{ corrections: ["x"] }, "corrections[0] must be an object"],
    [{ corrections: [{ target_field: "hostname" }] }, "corrections[0].source_field must be a non-empty string"],
    [{ corrections: [{ source_field: "a", target_field: 3 }] }, "corrections[0].target_field must be a string"],
  ])("refuses %j naming the culprit", (body, message) => {
    expect(() => parseCorrections(body)).toThrow(message);
  });
});
