import { parseCpuCores, parsePercent, parseSizeGb } from "@migrate/domain";

/**
 * Reading of the numeric canonical fields, shared by validation and cleansing so both agents
 * agree on what a value means: the same units, the same memory heuristic, the same ranges.
 */

/** Spellings of "no value": treated as a missing value, never as an unreadable one. */
const BLANKS = new Set(["", "n/a", "na", "null", "none", "nil", "-", "--", "?", "unknown", "tbd", "not available"]);

const LONGEST_BLANK = 20;

export function isBlank(raw: string | undefined): boolean {
  if (raw === undefined || raw === "") return true;
  // Most values are long or plainly data: skip the string work for them.
  return raw.length <= LONGEST_BLANK && BLANKS.has(raw.trim().toLowerCase());
}

const SIZE_UNITS = new Set(["b", "kb", "kib", "mb", "mib", "gb", "gib", "tb", "tib"]);
type SizeUnit = Parameters<typeof parseSizeGb>[1] & string;
// Every pattern here reads a value already trimmed (`readNumeric`'s contract), so none needs
// whitespace at either end: `\s*` around an optional part next to another `\s*` or `$` let the
// engine try every split of a long run of spaces (quadratic on "1" + 40,000 tabs + "x").
const UNIT_SUFFIX = /([kmgt]i?b|b)$/i;
const BARE_NUMBER = /^\d+(?:[.,]\d+)?$/;
const INTEGER = /^\d+$/;
const NUMBER_WITH_UNIT_WORD = /^(\d+(?:\.\d+)?)\s*[a-z/]*$/i;
const SIGNED_NUMBER = /^(-?\d+(?:[.,]\d+)?)\s*%?$/;
const THOUSANDS = /(\d),(\d{3})\b/g;

/** Memory above this many units with no unit anywhere is read as MB (see docs/agents.md). */
export const MEMORY_MB_HEURISTIC_THRESHOLD = 1024;

export const NUMERIC_TARGETS = new Set([
  "cpu_cores",
  "cpu_sockets",
  "disk_count",
  "memory_gb",
  "storage_gb",
  "storage_used_gb",
  "cpu_utilization_avg",
  "cpu_utilization_max",
  "memory_utilization_avg",
  "memory_utilization_max",
  "disk_iops",
  "network_throughput_mbps",
]);

const PERCENT_TARGETS = new Set([
  "cpu_utilization_avg",
  "cpu_utilization_max",
  "memory_utilization_avg",
  "memory_utilization_max",
]);
const SIZE_TARGETS = new Set(["memory_gb", "storage_gb", "storage_used_gb"]);

/** Plausible ranges; a value outside is reported (validation) and not kept (cleansing). */
export const RANGES: Readonly<Record<string, readonly [number, number]>> = {
  cpu_cores: [1, 1024],
  memory_gb: [0.1, 32768],
  storage_gb: [0, 1e6],
  storage_used_gb: [0, 1e6],
  cpu_utilization_avg: [0, 100],
  cpu_utilization_max: [0, 100],
  memory_utilization_avg: [0, 100],
  memory_utilization_max: [0, 100],
};

export type NumericReading =
  | { ok: true; value: number; inRange: boolean; rule?: string }
  | { ok: false; value?: undefined; inRange: false; rule?: undefined };

const UNREADABLE: NumericReading = { ok: false, inRange: false };

/**
 * Reads `value` (not blank) as the numeric `target`. `unit` is the mapping's unit for size
 * columns; `rule` names the conversion applied when the value was not already a plain number.
 */
export function readNumeric(target: string, value: string, unit?: string): NumericReading {
  const raw = value.trim();
  if (SIZE_TARGETS.has(target)) return readSize(target, raw, unit);
  if (PERCENT_TARGETS.has(target)) return readPercent(target, raw);
  if (target === "cpu_cores") {
    const cores = parseCpuCores(raw);
    if (cores === undefined) return UNREADABLE;
    return withRange(target, cores, INTEGER.test(raw) ? undefined : "cpu_string_to_cores");
  }
  if (target === "cpu_sockets" || target === "disk_count") {
    return INTEGER.test(raw) ? withRange(target, Number(raw)) : UNREADABLE;
  }
  const match = NUMBER_WITH_UNIT_WORD.exec(raw.replace(THOUSANDS, "$1$2"));
  return match?.[1] ? withRange(target, Number(match[1])) : UNREADABLE;
}

function readSize(target: string, raw: string, mappingUnit: string | undefined): NumericReading {
  const suffix = UNIT_SUFFIX.exec(raw)?.[1]?.toLowerCase();
  let unit: string;
  let rule: string | undefined;
  if (suffix) {
    unit = suffix;
    rule = unit === "gb" ? "unit_gb_suffix" : `unit_${unit}_to_gb`;
  } else if (mappingUnit && SIZE_UNITS.has(mappingUnit.toLowerCase())) {
    unit = mappingUnit.toLowerCase();
    rule = unit === "gb" ? undefined : `unit_${unit}_to_gb`;
  } else if (
    target === "memory_gb" &&
    BARE_NUMBER.test(raw) &&
    Number(raw.replace(THOUSANDS, "$1$2").replace(",", ".")) > MEMORY_MB_HEURISTIC_THRESHOLD
  ) {
    unit = "mb";
    rule = "memory_mb_heuristic";
  } else {
    unit = "gb";
  }
  const gb = parseSizeGb(raw, unit as SizeUnit);
  return gb === undefined ? UNREADABLE : withRange(target, gb, rule);
}

function readPercent(target: string, raw: string): NumericReading {
  const percent = parsePercent(raw);
  if (percent !== undefined) {
    const fraction = !raw.includes("%") && percent > 0 && Number(raw) < 1;
    return withRange(target, percent, fraction ? "fraction_to_percent" : undefined);
  }
  // Numeric but refused by the parser: above 100 % or negative, which is a range problem.
  const match = SIGNED_NUMBER.exec(raw);
  return match?.[1] ? { ok: true, value: Number(match[1].replace(",", ".")), inRange: false } : UNREADABLE;
}

function withRange(target: string, value: number, rule?: string): NumericReading {
  const range = RANGES[target];
  const inRange = !range || (value >= range[0] && value <= range[1]);
  return { ok: true, value, inRange, rule };
}
