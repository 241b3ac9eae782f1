import { describe, expect, it } from "vitest";
import { findDuplicates, type IdentityKeys } from "./duplicate-detection.ts";

const keys = (row: number, externalId = "", hostname = "", vmUuid = ""): IdentityKeys => ({
  row,
  externalId,
  hostname,
  vmUuid,
});

describe("duplicate detection", () => {
  it("joins records transitively over external id, host name and VM UUID, keeping the lowest row", () => {
    const groups = findDuplicates([
      keys(7, "SRV-1", "web01"),
      keys(3, "srv-1 ", ""),
      keys(9, "", "WEB01.corp.local"),
      keys(12, "", "other", "{420C1C4E-8F6A-4B2D-9B1E-0A1B2C3D4E5F}"),
      keys(15, "", "", "420c1c4e8f6a4b2d9b1e0a1b2c3d4e5f"),
      keys(20, "", "lonely"),
    ]);
    expect(groups).toEqual([
      { keepRow: 3, duplicateRows: [7, 9], matchedOn: "external_id" },
      { keepRow: 12, duplicateRows: [15], matchedOn: "vm_uuid" },
    ]);
  });

  it("does not join records on empty keys or on IP-looking host names' prefixes", () => {
    expect(findDuplicates([keys(1), keys(2), keys(3, "", "10.0.0.1"), keys(4, "", "10.0.0.2")])).toEqual([]);
  });

  // Its speed is the discovery-flow benchmark's business, not a timed assertion's.
  it("groups 100,000 keys, the first row of each group kept", () => {
    const many = Array.from({ length: 100_000 }, (_, i) => keys(i + 1, `id-${i % 90_000}`, `host-${i}`));
    const groups = findDuplicates(many);
    expect(groups).toHaveLength(10_000);
    expect(groups[0]).toEqual({ keepRow: 1, duplicateRows: [90_001], matchedOn: "external_id" });
  });
});
