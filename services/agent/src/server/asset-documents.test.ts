import { create, fromJson, type JsonValue, toJson } from "@bufbuild/protobuf";
import { MeshError } from "@migrate/errors";
import {
  AssetDocumentSchema,
  AssetSchema,
  ChangeSchema,
  StrategyRecommendationSchema,
} from "@migrate/gen/agent/v1/agent_pb";
import { describe, expect, it } from "vitest";
import { emptyAsset } from "../agents/canonical-asset.ts";
import {
  csvRecords,
  generatedInventory,
  MESSY_CSV,
  MESSY_MAPPING,
  mappingIndex,
} from "../agents/fixtures/messy-inventory.ts";
import { cleanseRecords } from "../agents/record-cleansing.ts";
import { recommendStrategy } from "../agents/strategy-recommendation.ts";
import { assetJson, changesJson, recordsFrom, strategyAssetFrom, strategyJson } from "./asset-documents.ts";

const NAMES = { useProtoFieldName: true } as const;
const messy = cleanseRecords(mappingIndex(MESSY_MAPPING), csvRecords(MESSY_CSV));
const generated = generatedInventory(300);
const many = cleanseRecords(generated.index, generated.records);

/** What protobuf-es itself writes for the asset: the form the flow stored before documents existed. */
function protobufJson(asset: ReturnType<typeof emptyAsset>): unknown {
  const { row, ...fields } = asset;
  return toJson(AssetSchema, create(AssetSchema, { ...fields, rowNumber: BigInt(row) }), NAMES);
}

describe("asset documents", () => {
  it("write every cleansed asset exactly as protobuf's canonical JSON of the Asset message", () => {
    for (const asset of [...messy.assets, ...many.assets]) {
      expect(JSON.parse(assetJson(asset))).toEqual(protobufJson(asset));
    }
  });

  it("keep a set zero of an optional number, drop an implicit zero, write non-finite numbers as strings", () => {
    const asset = { ...emptyAsset(7), cpuCores: 0, memoryGb: Number.NaN, storageGb: Number.POSITIVE_INFINITY };
    expect(JSON.parse(assetJson(asset))).toEqual(protobufJson(asset));
    expect(JSON.parse(assetJson(asset))).toEqual({
      row_number: "7",
      cpu_cores: 0,
      memory_gb: "NaN",
      storage_gb: "Infinity",
    });
  });

  it("write a strategy recommendation exactly as protobuf's canonical JSON of the message", () => {
    const recommendations = many.assets.map(recommendStrategy);
    const odd = { ...recommendStrategy(emptyAsset(9)), confidence: 0, missingData: [], criticality: "" };
    for (const recommendation of [...recommendations, odd]) {
      const { row, ...fields } = recommendation;
      const message = create(StrategyRecommendationSchema, { ...fields, rowNumber: BigInt(row) });
      expect(JSON.parse(strategyJson(recommendation))).toEqual(toJson(StrategyRecommendationSchema, message, NAMES));
    }
    expect(new Set(recommendations.map((r) => r.strategy)).size).toBeGreaterThan(2);
  });

  it("write changes as protobuf's JSON of the Change messages", () => {
    const changes = messy.changes.filter((change) => change.row === 1);
    expect(changes.length).toBeGreaterThan(3);
    const expected = changes.map(({ row, ...rest }) =>
      toJson(ChangeSchema, create(ChangeSchema, { ...rest, rowNumber: BigInt(row) }), NAMES),
    );
    expect(JSON.parse(changesJson(changes))).toEqual(expected);
  });

  it("read a stored asset back for the strategy rules as the message did, so the recommendation is the same", () => {
    for (const asset of many.assets) {
      const document = create(AssetDocumentSchema, { rowNumber: BigInt(asset.row), assetJson: assetJson(asset) });
      const viaMessage = fromJson(AssetSchema, JSON.parse(assetJson(asset)) as JsonValue);
      const read = strategyAssetFrom(document, 0);
      expect(read.memoryGb).toBe(viaMessage.memoryGb);
      expect(read.osFamily).toBe(viaMessage.osFamily);
      expect(recommendStrategy(read)).toEqual(recommendStrategy(asset));
    }
  });

  it("read raw records of JSON inventories as text, and refuse a document that is not an object, naming its row", () => {
    const [record] = recordsFrom([
      { rowNumber: 4n, valuesJson: '{"Name":"web","CPUs":4,"On":true,"Gone":null,"Tags":{"a":"b"}}' },
    ] as never);
    expect(record).toEqual({ row: 4, values: { Name: "web", CPUs: "4", On: "true", Gone: "", Tags: '{"a":"b"}' } });
    const refused = (() => {
      try {
        recordsFrom([{ rowNumber: 9n, valuesJson: "[1,2]" }] as never);
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(MeshError);
    expect(refused).toMatchObject({ code: "INVALID_ARGUMENT", message: "record of row 9 is not a JSON object" });
  });
});
