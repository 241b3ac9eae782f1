import { ASSET_FIELD_NAMES, assetField, REQUIRED_TARGET_GROUPS } from "@migrate/domain";
import { MeshError } from "@migrate/errors";
import type { StoredMapping } from "../phases/stored-mappings.ts";
import type { AppliedCorrection } from "./learning-feedback.ts";

/** Targets several columns may feed (summed disks, address lists, tag sets). */
export const MULTI_VALUED_TARGETS: ReadonlySet<string> = new Set(["storage_gb", "ip_addresses", "tags"]);

export interface Correction {
  sourceField: string;
  targetField: string;
}

/**
 * The mappings as approved: corrected columns take the person's target (confidence 1), the
 * rest are approved as suggested. Refuses, naming the culprit, an unknown column or target, a
 * column corrected twice, two columns on one single-valued target, and a result with no name.
 */
export function applyCorrections(
  stored: readonly StoredMapping[],
  corrections: readonly Correction[],
  context: { columns: readonly string[]; user: string },
): { mappings: StoredMapping[]; applied: AppliedCorrection[] } {
  const bySource = new Map(stored.map((m) => [m.source, m]));
  const chosen = new Map<string, string>();
  for (const { sourceField, targetField } of corrections) {
    if (!bySource.has(sourceField) && !context.columns.includes(sourceField)) {
      throw new MeshError(
        "INVALID_ARGUMENT",
        `unknown source field ${JSON.stringify(sourceField)}; the flow's columns are: ${context.columns.join(", ")}`,
        { field: "source_field", value: sourceField.slice(0, 200), columns: [...context.columns] },
      );
    }
    if (chosen.has(sourceField)) {
      throw new MeshError(
        "INVALID_ARGUMENT",
        `source field ${JSON.stringify(sourceField)} is corrected more than once`,
        {
          field: "source_field",
          value: sourceField,
        },
      );
    }
    if (targetField && !ASSET_FIELD_NAMES.includes(targetField)) {
      throw new MeshError(
        "INVALID_ARGUMENT",
        `unknown target field ${targetField}; valid targets: ${ASSET_FIELD_NAMES.join(", ")}`,
        { field: "target_field", value: targetField.slice(0, 200), valid: [...ASSET_FIELD_NAMES] },
      );
    }
    chosen.set(sourceField, targetField);
  }
  const mappings: StoredMapping[] = stored.map((m) =>
    chosen.has(m.source)
      ? corrected(m, chosen.get(m.source) ?? "", context.user)
      : { ...m, state: m.state === "corrected" ? "corrected" : "approved" },
  );
  for (const [source, target] of chosen) {
    if (bySource.has(source)) continue;
    const blank: StoredMapping = {
      position: context.columns.indexOf(source),
      source,
      target: null,
      confidence: 0,
      reason: "",
      unit: "",
      alternatives: [],
      state: "suggested",
    };
    mappings.push(corrected(blank, target, context.user));
  }
  checkConflicts(mappings);
  checkRequired(mappings);
  const applied = [...chosen].map(([source, target]) => ({
    source,
    suggestedTarget: bySource.get(source)?.target ?? null,
    suggestedConfidence: bySource.get(source)?.confidence ?? 0,
    correctedTarget: target || null,
  }));
  return { mappings: mappings.sort((a, b) => a.position - b.position), applied };
}

function corrected(mapping: StoredMapping, target: string, user: string): StoredMapping {
  // A unit read from the values still holds if the column keeps a size target; otherwise it means nothing.
  const keepsUnit = target !== "" && assetField(target)?.type === "size_gb";
  return {
    ...mapping,
    target: target || null,
    confidence: 1,
    reason: `corrected by ${user || "a user"}`,
    unit: keepsUnit ? mapping.unit : "",
    state: "corrected",
  };
}

function checkConflicts(mappings: readonly StoredMapping[]): void {
  const byTarget = new Map<string, StoredMapping[]>();
  for (const m of mappings) {
    if (!m.target || MULTI_VALUED_TARGETS.has(m.target)) continue;
    byTarget.set(m.target, [...(byTarget.get(m.target) ?? []), m]);
  }
  for (const [target, group] of byTarget) {
    if (group.length < 2 || !group.some((m) => m.state === "corrected")) continue;
    const names = group.map((m) => JSON.stringify(m.source)).join(" and ");
    throw new MeshError(
      "INVALID_ARGUMENT",
      `columns ${names} would both map to ${target}; only ${[...MULTI_VALUED_TARGETS].join(", ")} may take several columns`,
      { field: "target_field", value: target, columns: group.map((m) => m.source) },
    );
  }
}

function checkRequired(mappings: readonly StoredMapping[]): void {
  const targets = new Set(mappings.map((m) => m.target));
  for (const group of REQUIRED_TARGET_GROUPS) {
    if (group.some((target) => targets.has(target))) continue;
    throw new MeshError(
      "INVALID_ARGUMENT",
      `no column maps to a name or hostname: correct a column to ${group.join(" or ")}`,
      { field: "corrections", required: [...group] },
    );
  }
}
