import { normalizeEnvironment, parseIpList } from "@migrate/domain";
import { type RecordSteps, runToEnd } from "./batch-budget.ts";
import type { Issue } from "./canonical-asset.ts";
import { externalIdKey, hostnameKey, vmUuidKey } from "./identity-keys.ts";
import { isBlank, NUMERIC_TARGETS, RANGES, readNumeric } from "./numeric-fields.ts";
import { PERSONAL_DATA_LABELS, personalDataSteps } from "./personal-data.ts";
import { qualityScore } from "./quality-score.ts";
import { firstValue, type MappingIndex, type RawRecord } from "./record-mapping.ts";

export interface ValidationResult {
  issues: Issue[];
  quality: Array<{ row: number; score: number }>;
  personalDataColumns: string[];
}

export const REDACTED = "[redacted]";

// The numeric targets that are quality keys: valid when one of their columns reads in range.
const QUALITY_NUMERIC = new Set(["cpu_cores", "memory_gb", "storage_gb"]);
const DUPLICATE_KEYS = ["external_id", "hostname", "vm_uuid"] as const;

/**
 * Validates a batch of raw records against an approved mapping. Every problem is reported with
 * its row, column and value (personal values redacted); nothing throws on bad data.
 */
export function validateRecords(index: MappingIndex, records: readonly RawRecord[]): ValidationResult {
  return runToEnd(validationSteps(index, records));
}

/** `validateRecords` one record at a time (each step yields the row done), for a paced caller. */
export function* validationSteps(index: MappingIndex, records: readonly RawRecord[]): RecordSteps<ValidationResult> {
  const issues: Issue[] = [];
  const quality: ValidationResult["quality"] = [];
  const numericTargets = [...index.byTarget.keys()].filter((target) => NUMERIC_TARGETS.has(target));
  const seen: Record<(typeof DUPLICATE_KEYS)[number], Map<string, number>> = {
    external_id: new Map(),
    hostname: new Map(),
    vm_uuid: new Map(),
  };

  for (const record of records) {
    let errors = 0;
    let valid = 0;
    const name = firstValue(index, record, "asset_name", isBlank);
    const host = firstValue(index, record, "hostname", isBlank);
    if (name || host) valid++;
    else {
      errors++;
      const column = index.byTarget.get("asset_name")?.[0]?.source ?? index.byTarget.get("hostname")?.[0]?.source ?? "";
      issues.push(
        issue(record.row, column, "asset_name", "", "error", "missing_identity", "no asset name or host name"),
      );
    }

    for (const target of numericTargets) {
      let good = false;
      for (const mapping of index.byTarget.get(target) ?? []) {
        const raw = record.values[mapping.source];
        if (raw === undefined || isBlank(raw)) continue;
        const reading = readNumeric(target, raw.trim(), mapping.unit);
        if (!reading.ok) {
          issues.push(
            issue(
              record.row,
              mapping.source,
              target,
              raw,
              "warning",
              "invalid_number",
              `value of "${mapping.source}" cannot be read as ${target}`,
            ),
          );
        } else if (!reading.inRange) {
          const [min, max] = RANGES[target] ?? [0, 0];
          issues.push(
            issue(
              record.row,
              mapping.source,
              target,
              raw,
              "warning",
              "out_of_range",
              `${target} ${reading.value} is outside ${min}..${max}`,
            ),
          );
        } else good = true;
      }
      if (good && QUALITY_NUMERIC.has(target)) valid++;
    }

    const ips = index.byTarget.get("ip_addresses") ?? [];
    if (ips.some((m) => parseIpList(record.values[m.source] ?? "").length > 0)) valid++;
    if (firstValue(index, record, "operating_system", isBlank)) valid++;
    const environment = firstValue(index, record, "environment", isBlank);
    if (environment && normalizeEnvironment(environment.value)) valid++;
    if (firstValue(index, record, "application_name", isBlank)) valid++;

    const keys = {
      external_id: keyOf(firstValue(index, record, "external_id", isBlank), externalIdKey),
      hostname: keyOf(host ?? name, hostnameKey),
      vm_uuid: keyOf(firstValue(index, record, "vm_uuid", isBlank), vmUuidKey),
    };
    for (const key of DUPLICATE_KEYS) {
      const found = keys[key];
      if (!found) continue;
      const first = seen[key].get(found.key);
      if (first === undefined) seen[key].set(found.key, record.row);
      else {
        issues.push(
          issue(record.row, found.column, key, found.value, "warning", "duplicate", `same ${key} as row ${first}`),
        );
        break;
      }
    }
    quality.push({ row: record.row, score: qualityScore(valid, errors) });
    yield record.row;
  }

  const findings = yield* personalDataSteps(records, index);
  const personal = new Set(findings.map((finding) => finding.column));
  for (const entry of issues) if (personal.has(entry.column)) entry.value = REDACTED;
  for (const finding of findings) {
    issues.push(
      issue(
        finding.firstRow,
        finding.column,
        index.targetOf.get(finding.column) ?? "",
        REDACTED,
        "info",
        "personal_data",
        `column "${finding.column}" holds ${PERSONAL_DATA_LABELS[finding.kind]} (personal data)`,
      ),
    );
  }
  return { issues, quality, personalDataColumns: findings.map((finding) => finding.column) };
}

function keyOf(
  found: { value: string; column: string } | undefined,
  normalize: (value: string) => string,
): { key: string; value: string; column: string } | undefined {
  if (!found) return undefined;
  const key = normalize(found.value);
  return key ? { key, value: found.value, column: found.column } : undefined;
}

function issue(
  row: number,
  column: string,
  field: string,
  value: string,
  severity: Issue["severity"],
  code: string,
  message: string,
): Issue {
  return { row, column, field, value, severity, code, message };
}
