import type { HeaderReading } from "./header-reader.ts";
import type { ValueProfile } from "./value-profile.ts";

const SIZE_TARGETS = new Set(["memory_gb", "storage_gb", "storage_used_gb"]);
const PERCENT_TARGETS = new Set([
  "cpu_utilization_avg",
  "cpu_utilization_max",
  "memory_utilization_avg",
  "memory_utilization_max",
]);
const SIZE_UNITS = new Set(["b", "kb", "mb", "gb", "tb"]);

/**
 * The unit of a mapped column's values, decided once per column: the header's when it says one
 * ("(MB)", "_bytes", "GiB"), none when the cells carry their own ("16 GB"), else the magnitude of
 * the values (memory of 16384 is MB, of 17179869184 bytes). Cleansing converts with it.
 */
export function decideUnit(
  target: string,
  reading: HeaderReading,
  profile: ValueProfile,
): { unit?: string; why?: string } {
  if (PERCENT_TARGETS.has(target)) {
    const n = profile.numbers;
    if (n && n.max <= 1 && (profile.share.fraction ?? 0) >= 0.5) return { why: "values are fractions of 1, read as %" };
    return {};
  }
  if (!SIZE_TARGETS.has(target)) return {};
  if (reading.unit && SIZE_UNITS.has(reading.unit))
    return { unit: reading.unit, why: `unit ${reading.unit} from the header` };
  if (profile.cellUnit && SIZE_UNITS.has(profile.cellUnit))
    return { why: `unit written in the cells (${profile.cellUnit})` };
  const median = profile.numbers?.median;
  if (median === undefined) return {};
  const unit = target === "memory_gb" ? memoryUnit(median) : storageUnit(median);
  return { unit, why: `unit ${unit} from the values (median ${median})` };
}

// A server's memory is 0.5 GB to a few TB: the median's magnitude says the unit.
function memoryUnit(median: number): string {
  if (median >= 2 ** 29) return "b";
  if (median >= 2 ** 19) return "kb";
  if (median >= 512) return "mb";
  return "gb";
}

// Disks run from a few GB to tens of TB per server.
function storageUnit(median: number): string {
  if (median >= 2 ** 33) return "b";
  if (median >= 2 ** 24) return "kb";
  if (median >= 2 ** 15) return "mb";
  return "gb";
}
