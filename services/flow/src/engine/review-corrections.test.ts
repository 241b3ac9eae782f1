import { describe, expect, it } from "vitest";
import type { StoredMapping } from "../phases/stored-mappings.ts";
import { applyCorrections } from "./mapping-corrections.ts";
import { reviewCorrections } from "./review-corrections.ts";

const suggested = (source: string, target: string | null, confidence: number, position: number): StoredMapping => ({
  position,
  source,
  target,
  confidence,
  reason: "",
  unit: "",
  alternatives: [],
  state: "suggested",
});

describe("what a mapping review teaches the learning service", () => {
  const columns = ["srv_nm", "ip_addr_v4", "mem_mb", "env_cd", "app_nm"];
  const stored = [
    suggested("srv_nm", null, 0, 0),
    suggested("ip_addr_v4", "ip_addresses", 0.8, 1),
    suggested("mem_mb", "storage_gb", 0.55, 2),
    suggested("env_cd", "environment", 0.75, 3),
    suggested("app_nm", null, 0, 4),
  ];

  it("sends one correction per reviewed column: approvals as such, corrections with what was suggested", () => {
    const { mappings, applied } = applyCorrections(
      stored,
      [
        { sourceField: "srv_nm", targetField: "hostname" },
        { sourceField: "mem_mb", targetField: "memory_gb" },
      ],
      { columns, user: "ana" },
    );
    const { corrections, skipped } = reviewCorrections({
      mappings,
      applied,
      format: "generic",
      columns,
      samples: new Map([["mem_mb", ["4096", "8192"]]]),
    });
    expect(corrections.map((c) => [c.sourceText, c.suggestedTarget, c.target])).toEqual([
      ["srv_nm", "", "hostname"],
      ["ip_addr_v4", "ip_addresses", "ip_addresses"],
      ["mem_mb", "storage_gb", "memory_gb"],
      ["env_cd", "environment", "environment"],
    ]);
    // app_nm stays a custom attribute: there is no canonical target to learn.
    expect(skipped).toBe(1);
    expect(corrections[2]).toMatchObject({
      patternType: "field_mapping",
      context: { format: "generic", headers: columns },
      sampleValues: ["4096", "8192"],
    });
  });

  it("skips what the learning service would refuse for the whole batch (empty or over-long headers)", () => {
    const long = "x".repeat(1_001);
    const { corrections, skipped } = reviewCorrections({
      mappings: [
        suggested("  ", "hostname", 0.9, 0),
        suggested(long, "fqdn", 0.9, 1),
        suggested("os", "os_family", 1, 2),
      ],
      applied: [],
      format: "generic",
      columns: ["  ", long, "os"],
      samples: new Map(),
    });
    expect(corrections.map((c) => c.sourceText)).toEqual(["os"]);
    expect(skipped).toBe(2);
  });
});
