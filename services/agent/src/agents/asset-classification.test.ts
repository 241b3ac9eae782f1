import { describe, expect, it } from "vitest";
import { classifyAsset } from "./asset-classification.ts";
import { type CanonicalAsset, emptyAsset } from "./canonical-asset.ts";

function asset(fields: Partial<CanonicalAsset>): CanonicalAsset {
  return { ...emptyAsset(1), ...fields };
}

describe("asset classification", () => {
  it("calls an asset with a database type a database, with high confidence", () => {
    const result = classifyAsset(asset({ assetName: "pay-01", databaseType: "sql_server" }));
    expect(result).toMatchObject({ assetType: "database", serverRole: "db", confidence: 0.9 });
    expect(result.reason).toContain("sql_server");
  });

  it("reads roles from name tokens, the role being the last role token (<app>-<role>-<n>)", () => {
    expect(classifyAsset(asset({ assetName: "bill-db-02" }))).toMatchObject({
      assetType: "database",
      serverRole: "db",
    });
    expect(classifyAsset(asset({ assetName: "mail-app-07" })).serverRole).toBe("app");
    expect(classifyAsset(asset({ assetName: "SQLPROD01" })).serverRole).toBe("db");
    expect(classifyAsset(asset({ assetName: "exch-01" })).serverRole).toBe("mail");
    expect(classifyAsset(asset({ assetName: "corp-dc-01" })).serverRole).toBe("dc");
    expect(classifyAsset(asset({ assetName: "etl-runner" })).serverRole).toBe("batch");
  });

  it("recognises appliances by name and operating system", () => {
    expect(classifyAsset(asset({ assetName: "lb-ext-01" })).assetType).toBe("load_balancer");
    expect(classifyAsset(asset({ assetName: "fw-dmz-02" })).assetType).toBe("network");
    expect(classifyAsset(asset({ assetName: "san-lon-01" })).assetType).toBe("storage");
    expect(classifyAsset(asset({ assetName: "edge-7", operatingSystem: "Cisco IOS XE 17.3" })).assetType).toBe(
      "network",
    );
  });

  it("calls virtual what the hosting model, a VM UUID or a hypervisor says is virtual", () => {
    expect(classifyAsset(asset({ assetName: "x1", hostingModel: "virtual" }))).toMatchObject({
      assetType: "virtual_machine",
      confidence: 0.85,
    });
    expect(classifyAsset(asset({ assetName: "x2", vmUuid: "420c1c4e-8f6a-4b2d-9b1e-0a1b2c3d4e5f" })).assetType).toBe(
      "virtual_machine",
    );
    expect(classifyAsset(asset({ assetName: "x3", virtualizationPlatform: "vmware" })).assetType).toBe(
      "virtual_machine",
    );
  });

  it("trusts the source's own type column first, and defaults to server with low confidence", () => {
    expect(classifyAsset(asset({ assetName: "lb-01" }), "container").assetType).toBe("container");
    expect(classifyAsset(asset({ assetName: "box" }))).toMatchObject({
      assetType: "server",
      confidence: 0.5,
      serverRole: "",
    });
    expect(classifyAsset(asset({ assetName: "box", hostingModel: "physical" }))).toMatchObject({
      assetType: "server",
      confidence: 0.85,
    });
  });
});
