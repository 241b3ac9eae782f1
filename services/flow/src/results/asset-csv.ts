import type { DescField } from "@bufbuild/protobuf";
import { AssetSchema } from "@migrate/gen/agent/v1/agent_pb";
import type { AssetView } from "@migrate/gen/flow/v1/flow_pb";
import type { AssetViewRow } from "./asset-view.ts";
import { csvLine } from "./csv-cell.ts";

// Not canonical fields: the key, the custom attributes (one column each, last) and the scores
// of the pipeline (quality has its own column after the assessment).
const NOT_CANONICAL = new Set([
  "row_number",
  "custom_attributes",
  "quality_score",
  "classification_confidence",
  "classification_reason",
]);

/** The canonical fields of agent.v1.Asset, in schema order. */
export const CANONICAL_FIELDS: readonly DescField[] = AssetSchema.fields.filter((f) => !NOT_CANONICAL.has(f.name));

const ASSESSMENT_COLUMNS = [
  "application_key",
  "strategy",
  "strategy_confidence",
  "strategy_rationale",
  "wave",
  "quality_score",
];

/** The header: row_number, canonical fields, assessment, then `custom:<key>` per custom attribute. */
export function assetCsvHeader(customKeys: readonly string[]): string {
  return csvLine([
    "row_number",
    ...CANONICAL_FIELDS.map((f) => f.name),
    ...ASSESSMENT_COLUMNS,
    ...customKeys.map((key) => `custom:${key}`),
  ]);
}

function text(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (Array.isArray(value)) return value.map(String).join("; ");
  if (typeof value === "object") {
    return Object.entries(value as Record<string, unknown>)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${k}=${String(v)}`)
      .join("; ");
  }
  return String(value);
}

/** One asset as a CSV record, its columns matching `assetCsvHeader(customKeys)`. */
export function assetCsvLine(view: AssetView, row: AssetViewRow, customKeys: readonly string[]): string {
  const asset = view.asset;
  const fields = (asset ?? {}) as unknown as Record<string, unknown>;
  const strategy = view.strategy;
  return csvLine([
    String(row.row_number),
    ...CANONICAL_FIELDS.map((f) => text(fields[f.localName])),
    view.applicationKey,
    strategy?.strategy ?? "",
    strategy ? String(strategy.confidence) : "",
    strategy?.rationale ?? "",
    row.wave === null ? "" : String(row.wave),
    String(row.quality),
    ...customKeys.map((key) => asset?.customAttributes[key] ?? ""),
  ]);
}
