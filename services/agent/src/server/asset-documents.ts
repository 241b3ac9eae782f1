import type { MessageInitShape } from "@bufbuild/protobuf";
import { FeatureSet_FieldPresence } from "@bufbuild/protobuf/wkt";
import { rawValuesAsText } from "@migrate/domain";
import { MeshError } from "@migrate/errors";
import {
  type AssetDocument,
  type AssetDocumentSchema,
  AssetSchema,
  type RawRecord as RawRecordMessage,
} from "@migrate/gen/agent/v1/agent_pb";
import type { CanonicalAsset, Change } from "../agents/canonical-asset.ts";
import type { RawRecord } from "../agents/record-mapping.ts";
import type { StrategyAsset, StrategyRecommendation } from "../agents/strategy-recommendation.ts";

/**
 * Bulk rows cross the wire as JSON documents (RawRecord.values_json, AssetDocument): the flow
 * keeps them as jsonb and passes them through as text, so the only conversion is here, with the
 * engine's native JSON.parse/JSON.stringify. The asset form is exactly protobuf's canonical JSON
 * of `migrate.agent.v1.Asset` with proto field names (asset-documents.test.ts holds it to that).
 */

/** The Asset fields in schema order: property name, JSON name, whether a 0 is still written. */
const ASSET_FIELDS = AssetSchema.fields.map((field) => ({
  key: field.localName as keyof CanonicalAsset | "rowNumber",
  name: field.name,
  explicit: field.presence === FeatureSet_FieldPresence.EXPLICIT,
}));

type Json = Record<string, unknown>;

/** Raw records from the wire; a document that is not a JSON object is refused with its row. */
export function recordsFrom(records: readonly RawRecordMessage[]): RawRecord[] {
  return records.map((record) => {
    const row = Number(record.rowNumber);
    return { row, values: rawValuesAsText(parseObject(record.valuesJson, `record of row ${row}`, "records")) };
  });
}

/** A cleansed asset and its changes as the flow stores them. */
export function assetDocument(
  asset: CanonicalAsset,
  changes: readonly Change[],
): MessageInitShape<typeof AssetDocumentSchema> {
  return { rowNumber: BigInt(asset.row), assetJson: assetJson(asset), changesJson: changesJson(changes) };
}

/** The canonical JSON form of the Asset message: fields at their default are left out. */
export function assetJson(asset: CanonicalAsset): string {
  const out: Json = {};
  for (const { key, name, explicit } of ASSET_FIELDS) {
    const value = key === "rowNumber" ? asset.row : asset[key];
    if (value === undefined || value === "") continue;
    if (typeof value === "number") {
      if (value === 0 && !explicit) continue;
      // int64 is a string in protobuf JSON; non-finite doubles are the strings "NaN", "Infinity".
      out[name] = key === "rowNumber" || !Number.isFinite(value) ? String(value) : value;
    } else if (Array.isArray(value)) {
      if (value.length) out[name] = value;
    } else if (typeof value === "object") {
      if (Object.keys(value).length) out[name] = value;
    } else out[name] = value;
  }
  return JSON.stringify(out);
}

/** The canonical JSON form of a StrategyRecommendation message (what the flow stores as its detail). */
export function strategyJson(recommendation: StrategyRecommendation): string {
  const { row, strategy, rationale, confidence, missingData, factors, criticality } = recommendation;
  const out: Json = {};
  if (row) out.row_number = String(row);
  if (strategy) out.strategy = strategy;
  if (rationale) out.rationale = rationale;
  if (confidence) out.confidence = Number.isFinite(confidence) ? confidence : String(confidence);
  if (missingData.length) out.missing_data = missingData;
  if (factors.length) out.factors = factors;
  if (criticality) out.criticality = criticality;
  return JSON.stringify(out);
}

/** The canonical JSON form of a list of Change messages. */
export function changesJson(changes: readonly Change[]): string {
  return JSON.stringify(
    changes.map((change) => {
      const out: Json = { row_number: String(change.row) };
      if (change.field) out.field = change.field;
      if (change.sourceColumn) out.source_column = change.sourceColumn;
      if (change.before) out.before = change.before;
      if (change.after) out.after = change.after;
      if (change.rule) out.rule = change.rule;
      return out;
    }),
  );
}

/** What the strategy rules read of a stored asset document. */
export function strategyAssetFrom(document: AssetDocument, index: number): StrategyAsset {
  const row = Number(document.rowNumber);
  const json = parseObject(document.assetJson, `asset ${index + 1} (row ${row})`, "assets");
  return {
    row,
    assetName: text(json.asset_name),
    hostname: text(json.hostname),
    assetType: text(json.asset_type),
    serverRole: text(json.server_role),
    environment: text(json.environment),
    powerState: text(json.power_state),
    memoryGb: number(json.memory_gb),
    operatingSystem: text(json.operating_system),
    osVersion: text(json.os_version),
    osFamily: text(json.os_family),
    databaseType: text(json.database_type),
    technologyStack: text(json.technology_stack),
    cpuUtilizationAvg: number(json.cpu_utilization_avg),
    applicationName: text(json.application_name),
    criticality: text(json.criticality),
  };
}

function parseObject(source: string, what: string, field: string): Json {
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch {
    value = undefined;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new MeshError("INVALID_ARGUMENT", `${what} is not a JSON object`, { field, value: source.slice(0, 80) });
  }
  return value as Json;
}

const text = (value: unknown): string => (typeof value === "string" ? value : "");

/** Protobuf JSON writes doubles as numbers, or as strings ("NaN", "1.5") which it also reads. */
function number(value: unknown): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.trim() !== "") return Number(value);
  return undefined;
}
