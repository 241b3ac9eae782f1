import { describe, expect, it } from "vitest";
import { csvRecords, generatedInventory, MESSY_CSV, MESSY_MAPPING, mappingIndex } from "./fixtures/messy-inventory.ts";
import { cleanseRecords } from "./record-cleansing.ts";

const result = cleanseRecords(mappingIndex(MESSY_MAPPING), csvRecords(MESSY_CSV));
const asset = (row: number) => result.assets.find((a) => a.row === row)!;
const changesOf = (row: number, field: string) => result.changes.filter((c) => c.row === row && c.field === field);

describe("record cleansing on a messy spreadsheet", () => {
  it("returns one asset per record, in order", () => {
    expect(result.assets.map((a) => a.row)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it("trims names, lowercases host names and splits the domain off into the FQDN", () => {
    expect(asset(1)).toMatchObject({
      assetName: "BILL-WEB-01",
      hostname: "bill-web-01",
      fqdn: "bill-web-01.corp.local",
      externalId: "A-001",
    });
    expect(changesOf(1, "asset_name")).toEqual([
      expect.objectContaining({ before: "  BILL-WEB-01 ", after: "BILL-WEB-01", rule: "trim", sourceColumn: "Server" }),
    ]);
    expect(changesOf(1, "hostname")[0]).toMatchObject({ after: "bill-web-01", rule: "hostname_strip_domain" });
  });

  it("defaults the host name from the asset name when no host name is given", () => {
    expect(asset(3)).toMatchObject({ assetName: "crm-app-01", hostname: "crm-app-01" });
    expect(changesOf(3, "hostname")).toEqual([
      expect.objectContaining({ after: "crm-app-01", rule: "hostname_from_asset_name" }),
    ]);
  });

  it("normalises sizes to GB: MB by heuristic, GB suffixes, and sums several disk columns", () => {
    // 16384 with no unit in a memory column is MB.
    expect(asset(1).memoryGb).toBe(16);
    expect(changesOf(1, "memory_gb")[0]).toMatchObject({
      before: "16384",
      after: "16",
      rule: "memory_mb_heuristic",
    });
    expect(asset(2).memoryGb).toBe(64);
    expect(asset(1).storageGb).toBe(150);
    expect(changesOf(1, "storage_gb")).toEqual([
      expect.objectContaining({
        sourceColumn: "Disk 1 (GB) + Disk 2 (GB)",
        before: "100 + 50",
        after: "150",
        rule: "storage_sum",
      }),
    ]);
    // "n/a" is a missing value, recorded as cleared.
    expect(asset(2).storageGb).toBe(500);
    expect(changesOf(2, "storage_gb")).toEqual([
      expect.objectContaining({ before: "n/a", after: "", rule: "blank_value" }),
    ]);
  });

  it("reads CPU strings as cores and leaves unreadable ones unset, reported and kept", () => {
    expect(asset(1).cpuCores).toBe(4);
    expect(asset(2).cpuCores).toBe(8);
    expect(changesOf(2, "cpu_cores")[0]).toMatchObject({ before: "2x4", after: "8", rule: "cpu_string_to_cores" });
    expect(asset(3).cpuCores).toBeUndefined();
    expect(asset(3).customAttributes.vCPU).toBe("eight");
    expect(result.issues).toContainEqual(
      expect.objectContaining({ row: 3, column: "vCPU", code: "invalid_number", value: "eight", severity: "warning" }),
    );
  });

  it("parses IP lists and reports cells without any address", () => {
    expect(asset(1).ipAddresses).toEqual(["10.1.0.11", "10.1.0.12"]);
    expect(asset(4).ipAddresses).toEqual([]);
    expect(result.issues).toContainEqual(expect.objectContaining({ row: 4, column: "IP", code: "invalid_ip" }));
  });

  it("maps vocabularies: environment, power state; fractions to percent", () => {
    expect([1, 2, 3, 4].map((row) => asset(row).environment)).toEqual([
      "production",
      "production",
      "development",
      "test",
    ]);
    expect([1, 2, 3, 4].map((row) => asset(row).powerState)).toEqual(["on", "on", "on", "off"]);
    expect(asset(3).cpuUtilizationAvg).toBe(4);
    expect(asset(2).cpuUtilizationAvg).toBe(35);
    expect(changesOf(1, "environment")[0]).toMatchObject({
      before: "PRD",
      after: "production",
      rule: "environment_vocabulary",
    });
  });

  it("splits the OS into name, family and version, keeping a mapped version column", () => {
    expect(asset(1)).toMatchObject({
      operatingSystem: "Windows Server 2012 R2",
      osFamily: "windows",
      osVersion: "6.3",
    });
    expect(asset(2)).toMatchObject({
      operatingSystem: "Red Hat Enterprise Linux 6.10",
      osFamily: "linux",
      osVersion: "6.10",
    });
    expect(asset(7)).toMatchObject({ osFamily: "unix" });
  });

  it("parses k:v and k=v tags, and keeps unmapped columns verbatim", () => {
    expect(asset(1).tags).toEqual({ env: "prod", team: "payments" });
    expect(asset(2).tags).toEqual({ env: "prod", tier: "data" });
    expect(asset(1).customAttributes).toMatchObject({ Rack: "R12", "Support Phone": "+44 20 7946 0958" });
    expect(asset(5).customAttributes).toMatchObject({ Rack: "R15" });
  });

  it("leaves out-of-range values unset with a warning", () => {
    expect(asset(7).cpuUtilizationAvg).toBeUndefined();
    expect(result.issues).toContainEqual(expect.objectContaining({ row: 7, code: "out_of_range", column: "Avg CPU" }));
  });

  it("classifies each asset with a confidence and a reason", () => {
    expect(asset(2)).toMatchObject({ assetType: "database", serverRole: "db" });
    expect(asset(1)).toMatchObject({ serverRole: "web" });
    expect(asset(7)).toMatchObject({ serverRole: "batch" });
    for (const a of result.assets) {
      expect(a.classificationConfidence).toBeGreaterThan(0);
      expect(a.classificationReason.length).toBeGreaterThan(5);
    }
  });

  it("scores quality on the cleansed facts", () => {
    expect(asset(1).qualityScore).toBe(1);
    expect(asset(5).qualityScore).toBe(0);
  });
});

describe("record cleansing at scale", () => {
  it("cleanses 10,000 generated rows into typed assets with units normalised", () => {
    const { records, index } = generatedInventory(10_000);
    const { assets, changes } = cleanseRecords(index, records);
    expect(assets).toHaveLength(records.length);
    const sizes = [4, 8, 16, 32, 64, 128];
    for (const a of assets) {
      // Memory arrives as GB, MB and MiB: all land within 8 % of a real size in GB.
      expect(sizes.some((size) => Math.abs((a.memoryGb ?? 0) - size) / size < 0.08)).toBe(true);
      expect([2, 4, 8, 16, 32]).toContain(a.cpuCores);
      expect(a.hostname).toBe(a.hostname.toLowerCase());
      expect(a.hostname).not.toMatch(/\s/);
    }
    expect(changes.some((c) => c.rule === "unit_tb_to_gb")).toBe(true);
    expect(changes.some((c) => c.rule === "unit_mib_to_gb")).toBe(true);
  });
});
