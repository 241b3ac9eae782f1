import { describe, expect, it } from "vitest";
import { inventoryMediaType } from "./inventory-media-type.ts";

describe("inventoryMediaType", () => {
  it("takes a declared CSV or JSON type, ignoring parameters and case", () => {
    expect(inventoryMediaType("Text/CSV; charset=utf-8")).toBe("text/csv");
    expect(inventoryMediaType("application/json", "x.csv")).toBe("application/json");
  });

  it("falls back on the extension when the declared type is vague", () => {
    expect(inventoryMediaType("application/vnd.ms-excel", "RVTools_vInfo.CSV")).toBe("text/csv");
    expect(inventoryMediaType("application/octet-stream", "servers.json")).toBe("application/json");
    expect(inventoryMediaType(undefined, "export.tsv")).toBe("text/csv");
  });

  it("refuses what is neither", () => {
    expect(inventoryMediaType("application/pdf", "estate.pdf")).toBeUndefined();
    expect(inventoryMediaType("application/octet-stream", "")).toBeUndefined();
  });
});
