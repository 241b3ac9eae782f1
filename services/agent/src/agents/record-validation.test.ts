import { describe, expect, it } from "vitest";
import { csvRecords, generatedInventory, MESSY_CSV, MESSY_MAPPING, mappingIndex } from "./fixtures/messy-inventory.ts";
import { REDACTED, validateRecords } from "./record-validation.ts";

const messy = validateRecords(mappingIndex(MESSY_MAPPING), csvRecords(MESSY_CSV));
const byCode = (code: string) => messy.issues.filter((issue) => issue.code === code);

describe("record validation on a messy spreadsheet", () => {
  it("reports a row with neither asset name nor host name as missing_identity, an error", () => {
    expect(byCode("missing_identity")).toEqual([
      expect.objectContaining({ row: 5, column: "Server", field: "asset_name", severity: "error" }),
    ]);
  });

  it("names the row, column and value of numbers it cannot read", () => {
    expect(byCode("invalid_number")).toEqual([
      expect.objectContaining({ row: 3, column: "vCPU", field: "cpu_cores", value: "eight", severity: "warning" }),
    ]);
  });

  it("flags values outside plausible ranges, after unit conversion", () => {
    const outOfRange = byCode("out_of_range").map((issue) => [issue.row, issue.column]);
    // 128 cores is fine; 2,048 GB of memory is fine; 4,000 GB of disk is fine; 150 % CPU is not.
    expect(outOfRange).toEqual([[7, "Avg CPU"]]);
    // "2048" with no unit in a memory column is MB (the heuristic), so 2 GB: in range.
    expect(messy.issues.some((issue) => issue.row === 4 && issue.column === "Memory")).toBe(false);
  });

  it("warns about in-batch duplicates by external id, case-insensitively", () => {
    expect(byCode("duplicate")).toEqual([
      expect.objectContaining({
        row: 6,
        field: "external_id",
        column: "Asset ID",
        message: "same external_id as row 1",
      }),
    ]);
  });

  it("finds personal data per column and never echoes the personal values", () => {
    expect(messy.personalDataColumns.sort()).toEqual(["Owner", "Support Phone"]);
    const personal = byCode("personal_data");
    expect(personal).toHaveLength(2);
    for (const issue of personal) {
      expect(issue.severity).toBe("info");
      expect(issue.value).toBe(REDACTED);
      expect(issue.message).not.toMatch(/Alice|Smith|7946/);
    }
    expect(personal.find((issue) => issue.column === "Owner")?.message).toContain("names");
    expect(personal.find((issue) => issue.column === "Support Phone")?.message).toContain("phone numbers");
  });

  it("scores each row by the share of key facts present and valid, minus 0.1 per error", () => {
    const score = new Map(messy.quality.map((q) => [q.row, q.score]));
    expect(messy.quality).toHaveLength(7);
    // Row 1 has all eight key facts.
    expect(score.get(1)).toBe(1);
    // Row 3: unreadable cores → 7 of 8.
    expect(score.get(3)).toBe(0.88);
    // Row 4: no valid IP, no application → 6 of 8.
    expect(score.get(4)).toBe(0.75);
    // Row 5: nothing, and one error: floored at 0.
    expect(score.get(5)).toBe(0);
  });

  it("never throws on garbage values", () => {
    const records = [{ row: 1, values: { Server: "x", vCPU: "💥", Memory: "-5", "Avg CPU": "NaN%", IP: ";;;" } }];
    const result = validateRecords(mappingIndex(MESSY_MAPPING), records);
    expect(result.issues.map((issue) => issue.code).sort()).toEqual([
      "invalid_number",
      "invalid_number",
      "invalid_number",
    ]);
  });
});

describe("record validation at scale", () => {
  it("validates 10,000 generated rows quickly, finding the generator's duplicates and bad values", () => {
    const { records, index } = generatedInventory(10_000);
    const started = performance.now();
    const result = validateRecords(index, records);
    const elapsed = performance.now() - started;
    expect(result.quality).toHaveLength(records.length);
    // The generator exports about 1 % of servers twice and writes "high" into ~2 % of CPU cells.
    const duplicates = result.issues.filter((issue) => issue.code === "duplicate").length;
    expect(duplicates).toBeGreaterThan(80);
    expect(duplicates).toBeLessThanOrEqual(100);
    const bad = result.issues.filter((issue) => issue.code === "invalid_number");
    expect(bad.length).toBeGreaterThan(100);
    expect(bad.every((issue) => issue.column === "CPU Util %" && issue.value === "high")).toBe(true);
    expect(result.personalDataColumns).toEqual(["Owner Email"]);
    expect(elapsed).toBeLessThan(1_500);
  });
});
