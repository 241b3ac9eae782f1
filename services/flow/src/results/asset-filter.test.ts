import { describe, expect, it } from "vitest";
import { assetFilter } from "./asset-filter.ts";

const none = { assetType: "", environment: "", osFamily: "", strategy: "", application: "" };

describe("assetFilter", () => {
  it("keeps empty filters empty and normalises case and spaces", () => {
    expect(assetFilter(none)).toEqual({
      asset_type: "",
      environment: "",
      os_family: "",
      strategy: "",
      application: "",
    });
    expect(
      assetFilter({
        assetType: " Database",
        environment: "DR",
        osFamily: "linux ",
        strategy: "ReHost",
        application: " app-1 ",
      }),
    ).toEqual({
      asset_type: "database",
      environment: "dr",
      os_family: "linux",
      strategy: "rehost",
      application: "app-1",
    });
    expect(assetFilter({ ...none, strategy: "unknown" }).strategy).toBe("unknown");
  });

  it("refuses an unknown value with the valid ones", () => {
    for (const [name, field] of [
      ["assetType", "asset_type"],
      ["environment", "environment"],
      ["osFamily", "os_family"],
      ["strategy", "strategy"],
    ] as const) {
      try {
        assetFilter({ ...none, [name]: "nonsense" });
        expect.unreachable();
      } catch (error) {
        expect(error).toMatchObject({ code: "INVALID_ARGUMENT", details: { field, value: "nonsense" } });
        expect((error as { details: { valid: string[] } }).details.valid).toContain("unknown");
      }
    }
    expect(() => assetFilter({ ...none, application: "x".repeat(201) })).toThrow(/at most 200/);
  });
});
