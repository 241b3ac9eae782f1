import { isIpAddress, parseIpList, parseOperatingSystem } from "@migrate/domain";
import { classifyAsset } from "./asset-classification.ts";
import { type RecordSteps, runToEnd } from "./batch-budget.ts";
import {
  assetKey,
  type CanonicalAsset,
  type Change,
  emptyAsset,
  type Issue,
  type NumberField,
  type TextField,
} from "./canonical-asset.ts";
import { hostnameKey } from "./identity-keys.ts";
import { isBlank, NUMERIC_TARGETS, RANGES, readNumeric } from "./numeric-fields.ts";
import { assetQuality } from "./quality-score.ts";
import type { ColumnMapping, MappingIndex, RawRecord } from "./record-mapping.ts";
import { parseTags } from "./tag-parsing.ts";
import { TEXT_RULES } from "./text-rules.ts";

export interface CleanseResult {
  assets: CanonicalAsset[];
  changes: Change[];
  issues: Issue[];
}

// Targets with their own step below; every other mapped target is text (rule or trim).
const SPECIAL = new Set(["ip_addresses", "tags", "operating_system", "hostname", "asset_name", "asset_type"]);
const SUMMED = new Set(["storage_gb", "storage_used_gb"]);
const HOSTNAME = /^[a-z0-9][a-z0-9.-]*$/i;

/** The per-row state of the cleanser: where changes and issues go. */
interface Row {
  asset: CanonicalAsset;
  changes: Change[];
  issues: Issue[];
  declaredType: string;
}

/**
 * Cleanses and classifies a batch: each raw record becomes one fully typed asset. Every change
 * to a value is recorded with its rule; a value that cannot be read is reported, left unset and
 * kept verbatim as a custom attribute, as are all unmapped columns: nothing is dropped.
 */
export function cleanseRecords(index: MappingIndex, records: readonly RawRecord[]): CleanseResult {
  return runToEnd(cleansingSteps(index, records));
}

/** `cleanseRecords` one record at a time (each step yields the row done), for a paced caller. */
export function* cleansingSteps(index: MappingIndex, records: readonly RawRecord[]): RecordSteps<CleanseResult> {
  const result: CleanseResult = { assets: [], changes: [], issues: [] };
  const targets = [...index.byTarget.keys()];
  for (const record of records) {
    const row: Row = {
      asset: emptyAsset(record.row),
      changes: result.changes,
      issues: result.issues,
      declaredType: "",
    };
    for (const column in record.values) {
      if (!index.targetOf.has(column)) row.asset.customAttributes[column] = record.values[column] as string;
    }
    // os_version and os_family first: a mapped column wins over what the OS name implies.
    for (const target of targets) {
      if (SPECIAL.has(target)) continue;
      const mappings = index.byTarget.get(target) ?? [];
      if (NUMERIC_TARGETS.has(target)) cleanNumeric(row, record, target, mappings);
      else cleanText(row, record, target, mappings);
    }
    cleanIps(row, record, index.byTarget.get("ip_addresses") ?? []);
    cleanTags(row, record, index.byTarget.get("tags") ?? []);
    cleanText(row, record, "asset_type", index.byTarget.get("asset_type") ?? []);
    cleanOperatingSystem(row, record, index.byTarget.get("operating_system") ?? []);
    cleanIdentity(row, record, index.byTarget.get("hostname") ?? [], index.byTarget.get("asset_name") ?? []);

    const asset = row.asset;
    const classification = classifyAsset(asset, row.declaredType);
    asset.assetType = classification.assetType;
    if (!asset.serverRole || classification.serverRole) asset.serverRole = classification.serverRole;
    asset.classificationConfidence = classification.confidence;
    asset.classificationReason = classification.reason;
    asset.qualityScore = assetQuality(asset);
    result.assets.push(asset);
    yield record.row;
  }
  return result;
}

function change(row: Row, field: string, sourceColumn: string, before: string, after: string, rule: string): void {
  row.changes.push({ row: row.asset.row, field, sourceColumn, before, after, rule });
}

function unreadable(row: Row, column: string, field: string, raw: string, code: string, message: string): void {
  row.issues.push({ row: row.asset.row, column, field, value: raw, severity: "warning", code, message });
  row.asset.customAttributes[column] = raw;
}

/** The non-blank values of a target's columns; a blank spelling ("n/a") is recorded as cleared. */
function present(row: Row, record: RawRecord, field: string, mappings: readonly ColumnMapping[]) {
  const out: Array<{ mapping: ColumnMapping; raw: string; value: string }> = [];
  for (const mapping of mappings) {
    const raw = record.values[mapping.source];
    if (raw === undefined || raw === "") continue;
    if (isBlank(raw)) {
      if (raw.trim()) change(row, field, mapping.source, raw, "", "blank_value");
      continue;
    }
    out.push({ mapping, raw, value: raw.trim() });
  }
  return out;
}

function cleanNumeric(row: Row, record: RawRecord, target: string, mappings: readonly ColumnMapping[]): void {
  let total: number | undefined;
  const summed: Array<{ column: string; value: number }> = [];
  for (const { mapping, raw, value } of present(row, record, target, mappings)) {
    const reading = readNumeric(target, value, mapping.unit);
    if (!reading.ok) {
      unreadable(row, mapping.source, target, raw, "invalid_number", `value of "${mapping.source}" is not a ${target}`);
      continue;
    }
    if (!reading.inRange) {
      const [min, max] = RANGES[target] ?? [0, 0];
      unreadable(
        row,
        mapping.source,
        target,
        raw,
        "out_of_range",
        `${target} ${reading.value} is outside ${min}..${max}`,
      );
      continue;
    }
    const after = String(reading.value);
    if (after !== raw)
      change(row, target, mapping.source, raw, after, reading.rule ?? (value === raw ? "number_format" : "trim"));
    if (!SUMMED.has(target)) {
      if (total === undefined) total = reading.value;
      else if (reading.value !== total) row.asset.customAttributes[mapping.source] = raw;
      continue;
    }
    summed.push({ column: mapping.source, value: reading.value });
    total = (total ?? 0) + reading.value;
  }
  if (total === undefined) return;
  if (summed.length > 1) {
    total = Math.round(total * 100) / 100;
    const columns = summed.map((part) => part.column).join(" + ");
    change(row, target, columns, summed.map((part) => part.value).join(" + "), String(total), "storage_sum");
  }
  row.asset[assetKey(target) as NumberField] = total;
}

function cleanText(row: Row, record: RawRecord, target: string, mappings: readonly ColumnMapping[]): void {
  const rule = TEXT_RULES[target];
  let done = false;
  for (const { mapping, raw, value } of present(row, record, target, mappings)) {
    // Further columns of a single-valued target are kept, not silently dropped.
    if (done) {
      row.asset.customAttributes[mapping.source] = raw;
      continue;
    }
    let after = value;
    let ruleName = "trim";
    if (rule) {
      const normalized = rule.normalize(value, mapping.source);
      if (normalized === undefined && rule.strict) {
        unreadable(
          row,
          mapping.source,
          target,
          raw,
          "invalid_value",
          `value of "${mapping.source}" is not a known ${target}`,
        );
        continue;
      }
      if (normalized !== undefined && normalized !== value) {
        after = normalized;
        ruleName = rule.rule;
      }
    }
    if (after !== raw) change(row, target, mapping.source, raw, after, ruleName);
    if (target === "asset_type") row.declaredType = after;
    else row.asset[assetKey(target) as TextField] = after;
    done = true;
  }
}

function cleanIps(row: Row, record: RawRecord, mappings: readonly ColumnMapping[]): void {
  const all = new Set<string>();
  for (const { mapping, raw, value } of present(row, record, "ip_addresses", mappings)) {
    const ips = parseIpList(value);
    if (ips.length === 0) {
      unreadable(
        row,
        mapping.source,
        "ip_addresses",
        raw,
        "invalid_ip",
        `value of "${mapping.source}" holds no IP address`,
      );
      continue;
    }
    const after = ips.join(", ");
    if (after !== raw) change(row, "ip_addresses", mapping.source, raw, after, "ip_list");
    for (const ip of ips) all.add(ip);
  }
  row.asset.ipAddresses = [...all];
}

function cleanTags(row: Row, record: RawRecord, mappings: readonly ColumnMapping[]): void {
  for (const { mapping, raw, value } of present(row, record, "tags", mappings)) {
    const tags = parseTags(value);
    if (!tags) {
      // Free text (notes, annotations) is kept whole under its column's name.
      row.asset.tags[mapping.source] = value;
      continue;
    }
    Object.assign(row.asset.tags, tags);
    const after = Object.entries(tags)
      .map(([key, tagValue]) => `${key}=${tagValue}`)
      .join("; ");
    if (after !== raw) change(row, "tags", mapping.source, raw, after, "tags_parse");
  }
}

function cleanOperatingSystem(row: Row, record: RawRecord, mappings: readonly ColumnMapping[]): void {
  const asset = row.asset;
  for (const { mapping, raw, value } of present(row, record, "operating_system", mappings)) {
    if (asset.operatingSystem) {
      asset.customAttributes[mapping.source] = raw;
      continue;
    }
    const os = parseOperatingSystem(value);
    const name = !os || os.family === "other" ? value : `${os.name} ${os.version}`.trim();
    asset.operatingSystem = name;
    if (name !== raw)
      change(row, "operating_system", mapping.source, raw, name, name === value ? "trim" : "os_normalize");
    if (!os) continue;
    if (!asset.osFamily) {
      asset.osFamily = os.family;
      change(row, "os_family", mapping.source, "", os.family, "os_family_from_os");
    }
    if (!asset.osVersion && os.version) {
      asset.osVersion = os.version;
      change(row, "os_version", mapping.source, "", os.version, "os_version_from_os");
    }
  }
}

function cleanIdentity(
  row: Row,
  record: RawRecord,
  hostnames: readonly ColumnMapping[],
  names: readonly ColumnMapping[],
): void {
  const asset = row.asset;
  for (const { mapping, raw, value } of present(row, record, "hostname", hostnames)) {
    if (asset.hostname) {
      asset.customAttributes[mapping.source] = raw;
      continue;
    }
    const lower = value.toLowerCase();
    const short = hostnameKey(lower);
    if (short !== lower && !isIpAddress(lower)) {
      if (!asset.fqdn) {
        asset.fqdn = lower;
        change(row, "fqdn", mapping.source, "", lower, "fqdn_from_hostname");
      }
      change(row, "hostname", mapping.source, raw, short, "hostname_strip_domain");
    } else if (short !== raw)
      change(row, "hostname", mapping.source, raw, short, short === value ? "trim" : "lowercase");
    asset.hostname = short;
  }
  cleanText(row, record, "asset_name", names);
  if (!asset.hostname && asset.fqdn) {
    asset.hostname = hostnameKey(asset.fqdn);
    change(row, "hostname", "", "", asset.hostname, "hostname_from_fqdn");
  }
  if (!asset.assetName && asset.hostname) {
    asset.assetName = asset.hostname;
    change(row, "asset_name", "", "", asset.assetName, "asset_name_from_hostname");
  }
  if (!asset.hostname && asset.assetName && HOSTNAME.test(asset.assetName)) {
    asset.hostname = hostnameKey(asset.assetName);
    change(row, "hostname", "", "", asset.hostname, "hostname_from_asset_name");
  }
}
