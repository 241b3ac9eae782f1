import { describe, expect, it } from "vitest";
import { isBlank, readNumeric } from "./numeric-fields.ts";
import { parseTags } from "./tag-parsing.ts";
import {
  normalizeAssetType,
  normalizeDatabaseType,
  normalizeHostingModel,
  normalizeServerRole,
} from "./vocabularies.ts";

describe("numeric fields", () => {
  it.each([
    ["memory_gb", "16", undefined, 16, undefined],
    ["memory_gb", "16384", undefined, 16, "memory_mb_heuristic"],
    ["memory_gb", "16384", "mib", 16, "unit_mib_to_gb"],
    ["memory_gb", "16 GB", "mb", 16, "unit_gb_suffix"],
    ["storage_gb", "2 TB", undefined, 2048, "unit_tb_to_gb"],
    ["storage_gb", "2048", undefined, 2048, undefined],
    ["cpu_cores", "2x4", undefined, 8, "cpu_string_to_cores"],
    ["cpu_utilization_avg", "0.45", undefined, 45, "fraction_to_percent"],
    ["disk_iops", "1,200 IOPS", undefined, 1200, undefined],
  ] as const)("%s %s (unit %s) → %s", (target, raw, unit, value, rule) => {
    expect(readNumeric(target, raw, unit)).toMatchObject({ ok: true, value, inRange: true, rule });
  });

  it("tells unreadable values from out-of-range ones", () => {
    expect(readNumeric("cpu_cores", "lots").ok).toBe(false);
    expect(readNumeric("cpu_cores", "2048")).toMatchObject({ ok: true, inRange: false });
    expect(readNumeric("cpu_utilization_max", "140")).toMatchObject({ ok: true, value: 140, inRange: false });
    expect(readNumeric("memory_gb", "64 TB")).toMatchObject({ ok: true, value: 65536, inRange: false });
  });

  it("treats the usual spellings of nothing as blank", () => {
    expect(["", " ", "n/a", "N/A", "-", "null", "Unknown"].every(isBlank)).toBe(true);
    expect(isBlank("0")).toBe(false);
  });
});

describe("tags and vocabularies", () => {
  it("parses key/value tag lists and refuses free text", () => {
    expect(parseTags("env:prod, App = Billing ;legacy")).toEqual({ env: "prod", app: "Billing", legacy: "" });
    expect(parseTags("do not touch, migrating soon")).toBeUndefined();
  });

  it("reads database engines, roles, asset types and hosting models as sources spell them", () => {
    expect(
      ["Microsoft SQL Server 2016", "MSSQL", "PostgreSQL 13", "Oracle 19c", "pg"].map(normalizeDatabaseType),
    ).toEqual(["sql_server", "sql_server", "postgres", "oracle", "postgres"]);
    expect(["Web Server", "Database", "Domain Controller", "Payments"].map(normalizeServerRole)).toEqual([
      "web",
      "db",
      "dc",
      undefined,
    ]);
    expect(
      ["cmdb_ci_linux_server", "Virtual Machine", "cmdb_ci_lb_bigip", "Application Server"].map(normalizeAssetType),
    ).toEqual(["server", "virtual_machine", "load_balancer", "server"]);
    expect(normalizeHostingModel("true", "Is physical")).toBe("physical");
    expect(normalizeHostingModel("true", "virtual")).toBe("virtual");
    expect(normalizeHostingModel("Virtual", "Server type")).toBe("virtual");
  });
});
