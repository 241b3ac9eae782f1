import { describe, expect, it } from "vitest";
import {
  ASSET_FIELDS,
  headerWords,
  normalizeCriticality,
  normalizeEnvironment,
  normalizeHeader,
  normalizePowerState,
  parseCpuCores,
  parseIpList,
  parseOperatingSystem,
  parsePercent,
  parseSizeGb,
} from "./index.ts";

describe("sizes", () => {
  it.each([
    ["16 GB", "gb", 16],
    ["16384 MB", "gb", 16],
    ["16384 MiB", "gb", 16],
    ["16 GiB", "gb", 16],
    ["1.5 TB", "gb", 1536],
    ["16384", "mib", 16],
    ["2,048 MB", "gb", 2],
    ["512", "gb", 512],
  ] as const)("%s (default %s) → %s GB", (value, unit, expected) => {
    expect(parseSizeGb(value, unit)).toBe(expected);
  });
  it("refuses what is not a size", () => {
    expect(parseSizeGb("n/a")).toBeUndefined();
    expect(parseSizeGb("16 parsecs")).toBeUndefined();
  });
});

describe("cpu", () => {
  it.each([
    ["4", 4],
    ["4 vCPU", 4],
    ["8 cores", 8],
    ["2x4", 8],
    ["2 x 4", 8],
  ] as const)("%s → %s cores", (value, expected) => expect(parseCpuCores(value)).toBe(expected));
  it("refuses nonsense", () => {
    expect(parseCpuCores("fast")).toBeUndefined();
    expect(parseCpuCores("0")).toBeUndefined();
  });
});

describe("vocabularies", () => {
  it("maps environment, criticality and power spellings", () => {
    expect(["Production", "prod", "PRD"].map(normalizeEnvironment)).toEqual(["production", "production", "production"]);
    expect(normalizeEnvironment("Dev")).toBe("development");
    expect(normalizeEnvironment("moon")).toBeUndefined();
    expect(normalizeCriticality("High")).toBe("high");
    expect(normalizePowerState("poweredOff")).toBe("off");
  });
  it("reads percentages and fractions", () => {
    expect(parsePercent("45%")).toBe(45);
    expect(parsePercent("0.45")).toBe(45);
    expect(parsePercent("high")).toBeUndefined();
    expect(parsePercent("140")).toBeUndefined();
  });
});

describe("operating systems", () => {
  it("splits family, name and version", () => {
    expect(parseOperatingSystem("Microsoft Windows Server 2012 R2 Datacenter")).toEqual({
      family: "windows",
      name: "Windows Server",
      version: "2012 R2",
    });
    expect(parseOperatingSystem("RHEL 7.9")).toEqual({
      family: "linux",
      name: "Red Hat Enterprise Linux",
      version: "7.9",
    });
    expect(parseOperatingSystem("Ubuntu 20.04.6 LTS")).toMatchObject({ family: "linux", version: "20.04.6" });
    expect(parseOperatingSystem("AIX 7.2")?.family).toBe("unix");
  });
});

describe("ip lists and headers", () => {
  it("keeps only valid addresses", () => {
    expect(parseIpList("10.0.0.1, 10.0.0.2; 999.1.1.1 fe80::1 10.0.0.1")).toEqual(["10.0.0.1", "10.0.0.2", "fe80::1"]);
  });
  it("normalises header spellings of real formats", () => {
    expect(normalizeHeader("*Memory (In MB)")).toBe("memoryinmb");
    expect(normalizeHeader("CPU.NumberOfLogicalCores")).toBe("cpunumberoflogicalcores");
    expect(headerWords("CPU.NumberOfLogicalCores")).toEqual(["cpu", "number", "of", "logical", "cores"]);
  });
  it("has no synonym claimed by two fields", () => {
    const seen = new Map<string, string>();
    for (const field of ASSET_FIELDS) {
      for (const synonym of field.synonyms) {
        expect(seen.get(synonym), `${synonym} in ${field.name} and ${seen.get(synonym)}`).toBeUndefined();
        seen.set(synonym, field.name);
      }
    }
  });
});
