import { assetField } from "@migrate/domain";

/** One approved column mapping as the batch agents need it. */
export interface ColumnMapping {
  source: string;
  /** Empty: no canonical target; the column is kept as a custom attribute. */
  target: string;
  /** mb, mib, gb, gib, tb... when the column's header or format says so. */
  unit?: string;
}

/** A raw record of the uploaded file: its 1-based data row and its values by source column. */
export interface RawRecord {
  row: number;
  values: Readonly<Record<string, string>>;
}

export interface MappingIndex {
  /** Mapped columns per canonical target, in mapping order. */
  byTarget: ReadonlyMap<string, readonly ColumnMapping[]>;
  /** The canonical target of each mapped source column. */
  targetOf: ReadonlyMap<string, string>;
}

/**
 * Indexes a mapping once per batch, so rows are read by target without scanning the mapping.
 * Returns the offending target when one is not a canonical field, for the caller to refuse.
 */
export function indexMappings(mappings: readonly ColumnMapping[]): MappingIndex | { unknownTarget: string } {
  const byTarget = new Map<string, ColumnMapping[]>();
  const targetOf = new Map<string, string>();
  for (const mapping of mappings) {
    if (!mapping.target || targetOf.has(mapping.source)) continue;
    if (!assetField(mapping.target)) return { unknownTarget: mapping.target };
    targetOf.set(mapping.source, mapping.target);
    const list = byTarget.get(mapping.target);
    if (list) list.push(mapping);
    else byTarget.set(mapping.target, [mapping]);
  }
  return { byTarget, targetOf };
}

/** The first non-blank value of `target` in the record, with the column it came from. */
export function firstValue(
  index: MappingIndex,
  record: RawRecord,
  target: string,
  isBlank: (raw: string | undefined) => boolean,
): { value: string; column: string } | undefined {
  for (const mapping of index.byTarget.get(target) ?? []) {
    const value = record.values[mapping.source];
    if (value !== undefined && !isBlank(value)) return { value: value.trim(), column: mapping.source };
  }
  return undefined;
}
