import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { type ColumnProfile, suggestMappings } from "./field-mapping.ts";
import { FORMAT_FIXTURES } from "./fixtures/format-fixtures.ts";

/** The confidence at or above which a mapping needs no person (the flow's default threshold). */
const THRESHOLD = 0.8;

function profiles(csv: string): ColumnProfile[] {
  const rows = parse(csv, { relax_column_count: true }) as string[][];
  const [header = [], ...data] = rows;
  return header.map((source, index) => ({ source, samples: data.map((row) => row[index] ?? "").filter(Boolean) }));
}

describe("field mapping on real export formats", () => {
  for (const fixture of FORMAT_FIXTURES) {
    it(`${fixture.name}: maps at least 90 % of columns that have a canonical target, confidently`, () => {
      const result = suggestMappings(profiles(fixture.csv));
      const withTarget = Object.entries(fixture.expected).filter(([, target]) => target !== null);
      const right = withTarget.filter(([source, target]) => {
        const suggestion = result.suggestions.find((s) => s.source === source);
        return suggestion?.target === target && suggestion.confidence >= THRESHOLD;
      });
      const wrong = withTarget
        .filter((entry) => !right.includes(entry))
        .map(([source, target]) => {
          const s = result.suggestions.find((x) => x.source === source);
          return `${source}: expected ${target}, got ${s?.target} (${s?.confidence}, ${s?.reason})`;
        });
      expect(right.length / withTarget.length, wrong.join("\n")).toBeGreaterThanOrEqual(0.9);
      // Nothing is dropped: every column comes back, mapped or kept as a custom attribute.
      expect(result.suggestions.map((s) => s.source)).toEqual(Object.keys(fixture.expected));
    });
  }

  it("recognises each named format by its headers", () => {
    const formats = FORMAT_FIXTURES.map((fixture) => suggestMappings(profiles(fixture.csv)).format);
    expect(formats).toEqual([
      "aws_migration_hub",
      "azure_migrate",
      "rvtools_vinfo",
      "google_migration_center",
      "servicenow_cmdb_ci_server",
      "generic",
    ]);
  });

  it("carries the unit a format implies (RVTools memory is MiB)", () => {
    const rvtools = FORMAT_FIXTURES.find((f) => f.name === "rvtools_vinfo")!;
    const memory = suggestMappings(profiles(rvtools.csv)).suggestions.find((s) => s.source === "Memory");
    expect(memory).toMatchObject({ target: "memory_gb", unit: "mib" });
  });

  it("lets a learned pattern outrank the dictionary, and never gives one target to two columns", () => {
    const columns = [
      { source: "srv_nm", samples: ["a", "b", "c"] },
      { source: "Server Name", samples: ["x", "y", "z"] },
    ];
    const before = suggestMappings(columns);
    expect(before.suggestions[0]?.target).not.toBe("hostname");
    const after = suggestMappings(columns, [
      { source: "srv_nm", target: "hostname", confidence: 0.95, evidenceCount: 1 },
    ]);
    expect(after.suggestions[0]).toMatchObject({ target: "hostname", confidence: 0.95 });
    expect(after.suggestions[1]?.target).toBe("asset_name");
  });

  it("ranks a tenant's pattern learned from one correction (0.833) above the dictionary and a format preset", () => {
    const columns = [
      { source: "Host Name", samples: ["web01.example.com", "db01.example.com", "app01.example.com"] },
      { source: "srv_nm", samples: ["web01", "db01", "app01"] },
    ];
    expect(suggestMappings(columns).suggestions[0]?.target).toBe("hostname");
    const taught = suggestMappings(columns, [
      { source: "Host Name", target: "fqdn", confidence: 0.833, evidenceCount: 1 },
      { source: "srv_nm", target: "hostname", confidence: 0.833, evidenceCount: 1 },
    ]).suggestions;
    expect(taught.map((s) => [s.target, s.learned])).toEqual([
      ["fqdn", true],
      ["hostname", true],
    ]);
    expect(taught.every((s) => s.confidence >= THRESHOLD)).toBe(true);

    const rvtools = FORMAT_FIXTURES.find((f) => f.name === "rvtools_vinfo")!;
    const preset = suggestMappings(profiles(rvtools.csv), [
      { source: "VM", target: "hostname", confidence: 0.833, evidenceCount: 1 },
    ]);
    expect(preset.format).toBe("rvtools_vinfo");
    expect(preset.suggestions.find((s) => s.source === "VM")).toMatchObject({ target: "hostname", learned: true });
  });

  it("lets a pattern people kept rejecting compete on its confidence, below the dictionary", () => {
    const columns = [{ source: "Host Name", samples: ["a", "b", "c"] }];
    const [suggestion] = suggestMappings(columns, [
      { source: "Host Name", target: "fqdn", confidence: 0.3, evidenceCount: 1 },
    ]).suggestions;
    expect(suggestion).toMatchObject({ target: "hostname", learned: false });
    expect(suggestion?.alternatives).toContainEqual({ target: "fqdn", confidence: 0.3 });
  });

  it("infers targets from value shapes when names say nothing", () => {
    const result = suggestMappings([
      { source: "col_a", samples: ["10.0.0.1", "10.0.0.2", "10.0.0.3"] },
      { source: "col_b", samples: ["00:1B:44:11:3A:B7", "00:1B:44:11:3A:B8", "00:1B:44:11:3A:B9"] },
      { source: "col_c", samples: ["Windows Server 2019", "RHEL 8", "Ubuntu 22.04"] },
    ]);
    expect(result.suggestions.map((s) => s.target)).toEqual(["ip_addresses", "mac_address", "operating_system"]);
    expect(result.suggestions.every((s) => s.confidence < 0.9)).toBe(true);
  });

  it("carries a unit, a reason in words and the sibling a duplicate column stands beside", () => {
    const result = suggestMappings([
      { source: "Arbeitsspeicher (MB)", samples: ["16384", "8192", "32768"] },
      { source: "RAM GB", samples: ["16", "8", "32"] },
    ]);
    const [mb, gb] = result.suggestions;
    expect(mb).toMatchObject({ target: "memory_gb", unit: "mb" });
    expect(mb?.reason).toMatch(/header says "arbeitsspeicher"; unit mb/);
    expect(gb).toMatchObject({ target: null, sibling: "Arbeitsspeicher (MB)" });
  });

  it("maps with presets switched off (the benchmark's mode) and still knows RVTools' columns", () => {
    const rvtools = FORMAT_FIXTURES.find((f) => f.name === "rvtools_vinfo")!;
    const off = suggestMappings(profiles(rvtools.csv), [], { presets: false });
    expect(off.format).toBe("generic");
    expect(off.suggestions.find((s) => s.source === "CPUs")?.target).toBe("cpu_cores");
  });
});

describe("field mapping on hostile input", () => {
  it("keeps empty, duplicated and binary headers as custom attributes or maps them, without throwing", () => {
    const result = suggestMappings([
      { source: "", samples: ["a", "b", "c"] },
      { source: "Memory", samples: ["16", "32", "8"] },
      { source: "Memory", samples: ["16", "32", "8"] },
      { source: "\u0000\u0001\uFFFD\u0007", samples: ["\u0000\u0001", "x"] },
      { source: "   ", samples: [] },
    ]);
    expect(result.suggestions).toHaveLength(5);
    expect(result.suggestions.map((s) => s.target)).toEqual([null, "memory_gb", null, null, null]);
    expect(result.suggestions[2]?.sibling).toBe("Memory");
  });

  it("maps 10,000 columns and 5 MB cells in bounded time", () => {
    const huge = "9".repeat(5 * 1024 * 1024);
    const columns = Array.from({ length: 10_000 }, (_, i) => ({
      source: i % 2 ? `Custom field ${i}` : `Disk ${i} size (GB)`,
      samples: i < 20 ? [huge, huge] : ["10", "20", "30"],
    }));
    const started = performance.now();
    const result = suggestMappings(columns);
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(result.suggestions).toHaveLength(10_000);
    expect(result.suggestions[1]?.target).toBeNull();
  });
});
