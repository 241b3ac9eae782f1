import { create, toJson } from "@bufbuild/protobuf";
import { AssetSchema } from "@migrate/gen/agent/v1/agent_pb";
import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { assetCsvHeader, assetCsvLine } from "./asset-csv.ts";
import { type AssetViewRow, toAssetView } from "./asset-view.ts";

function row(init: Parameters<typeof create<typeof AssetSchema>>[1], extra: Partial<AssetViewRow> = {}): AssetViewRow {
  const data = toJson(AssetSchema, create(AssetSchema, init), { useProtoFieldName: true }) as Record<string, unknown>;
  return {
    row_number: 7,
    data,
    application_key: null,
    strategy: null,
    strategy_detail: null,
    wave: null,
    quality: 0.5,
    ...extra,
  };
}

function parsed(text: string): Record<string, string> {
  return (parse(text, { columns: true }) as Array<Record<string, string>>)[0] ?? {};
}

describe("asset CSV", () => {
  it("lists row_number, the canonical fields in schema order, the assessment, then custom attributes", () => {
    const header = assetCsvHeader(["rack", "=evil"]).trimEnd().split(",");
    expect(header.slice(0, 4)).toEqual(["row_number", "external_id", "asset_name", "hostname"]);
    expect(header.indexOf("cpu_cores")).toBeLessThan(header.indexOf("memory_gb"));
    expect(header.slice(header.indexOf("tags"))).toEqual([
      "tags",
      "application_key",
      "strategy",
      "strategy_confidence",
      "strategy_rationale",
      "wave",
      "quality_score",
      "custom:rack",
      "custom:=evil",
    ]);
    expect(header).not.toContain("custom_attributes");
  });

  it("writes lists, tags, absent numbers, strategy and custom attributes", () => {
    const stored = row(
      {
        hostname: "web01",
        ipAddresses: ["10.0.0.1", "10.0.0.2"],
        tags: { team: "ops", app: "crm" },
        cpuCores: 4,
        customAttributes: { rack: "=cmd|' /C calc'!A0" },
      },
      {
        application_key: "crm",
        strategy: "rehost",
        strategy_detail: { row_number: "7", strategy: "rehost", rationale: "lift, shift", confidence: 0.8 },
        wave: 2,
      },
    );
    const text = assetCsvHeader(["rack", "unused"]) + assetCsvLine(toAssetView(stored), stored, ["rack", "unused"]);
    expect(parsed(text)).toMatchObject({
      row_number: "7",
      hostname: "web01",
      ip_addresses: "10.0.0.1; 10.0.0.2",
      tags: "app=crm; team=ops",
      cpu_cores: "4",
      memory_gb: "",
      application_key: "crm",
      strategy: "rehost",
      strategy_confidence: "0.8",
      strategy_rationale: "lift, shift",
      wave: "2",
      quality_score: "0.5",
      "custom:rack": "'=cmd|' /C calc'!A0",
      "custom:unused": "",
    });
  });

  it("leaves the assessment empty before strategies exist", () => {
    const stored = row({ hostname: "db01" });
    const record = parsed(assetCsvHeader([]) + assetCsvLine(toAssetView(stored), stored, []));
    expect(record).toMatchObject({ strategy: "", strategy_confidence: "", wave: "", application_key: "" });
  });
});
