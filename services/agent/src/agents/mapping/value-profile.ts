import { isIpAddress, MAC_ADDRESS, VALUE_WORDS } from "@migrate/domain";
import { foldText } from "./lexicon-index.ts";

/** The value kinds the profiler counts, each as a share of a column's non-empty values. */
export type ValueKind =
  | "ip"
  | "mac"
  | "uuid"
  | "fqdn"
  | "hostname"
  | "email"
  | "person"
  | "date"
  | "epoch"
  | "version"
  | "os"
  | "env"
  | "power"
  | "health"
  | "crit"
  | "bool"
  | "virt"
  | "role"
  | "hypervisor"
  | "db"
  | "arch"
  | "os_family"
  | "asset_type"
  | "tags"
  | "number"
  | "integer"
  | "fraction"
  | "id"
  | "list"
  | "text";

export interface NumberStats {
  count: number;
  min: number;
  max: number;
  median: number;
}

/** What a column's values are, from a bounded sample. */
export interface ValueProfile {
  /** Non-empty values examined. */
  count: number;
  /** Distinct values / non-empty values examined. */
  distinct: number;
  share: Partial<Record<ValueKind, number>>;
  numbers?: NumberStats;
  /** The values count up by one, row after row: a row number, not an identifier. */
  sequence: boolean;
  /** The unit most cells carry ("gb" in "16 GB", "percent" in "45 %", "cores" in "4 vCPU"). */
  cellUnit?: string;
}

/** At most this many values are examined, evenly spread over the sample. */
export const MAX_PROFILED_VALUES = 64;
/** A cell's first characters decide its kind: a 5 MB cell costs as much as a short one. */
export const MAX_CELL = 256;
const BLANKS = new Set(["", "n/a", "na", "null", "none", "-", "--", "?", "unknown", "tbd", "nan", "undefined"]);

const VOCABULARIES: ReadonlyArray<[ValueKind, ReadonlySet<string>]> = Object.entries(VALUE_WORDS).map(
  ([kind, words]) => [kind as ValueKind, new Set(words.map((w) => foldText(w).trim()))],
);
const CELL_UNITS: Record<string, string> = {
  b: "b",
  bytes: "b",
  kb: "kb",
  kib: "kb",
  ko: "kb",
  mb: "mb",
  mib: "mb",
  mo: "mb",
  gb: "gb",
  gib: "gb",
  go: "gb",
  tb: "tb",
  tib: "tb",
  to: "tb",
  "%": "percent",
  vcpu: "cores",
  vcpus: "cores",
  cpu: "cores",
  cpus: "cores",
  cores: "cores",
  core: "cores",
  mhz: "mhz",
  ghz: "mhz",
  mbps: "mbps",
};
const NUMBER_WITH_UNIT = /^(-?\d[\d.,' ]*?)\s*([a-z%]{1,6})?$/;
// A VM UUID is written 8-4-4-4-12; 32 bare hex digits are some other key (ServiceNow sys_id).
const UUID_CANONICAL = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const FQDN = /^[a-z0-9_-]+(\.[a-z0-9_-]+)+$/;
const HOSTNAME = /^[a-z0-9][a-z0-9_-]*$/;
const VERSION = /^(v|version\s*)?\d+(\.\d+)+([-_ .]?[a-z0-9()]+)*$|^(service pack|sp|cu|rtm|r)\s*\d*$/;
const DATE = /^\d{4}-\d{2}-\d{2}([ t]\d{2}:\d{2}(:\d{2})?(\.\d+)?z?)?$|^\d{1,2}[./-]\d{1,2}[./-](\d{4}|\d{2})$/;
const PERSON = /^\p{Lu}[\p{L}'-]+( [\p{L}'-]+){1,3}$/u;
const TAGS = /^[a-z_][\w.-]*\s*[:=]\s*[^,;]*([,;]\s*[a-z_][\w.-]*\s*[:=][^,;]*)*$/;
const OS_WORDS =
  /\b(windows|linux|rhel|red ?hat|centos|ubuntu|debian|suse|sles|oracle ?linux|aix|solaris|hp-?ux|freebsd|rocky|alma|amazon linux)/;

/** Profiles a column from its sample: linear in the sample, bounded per cell. */
export function profileValues(samples: readonly string[]): ValueProfile {
  const step = samples.length > MAX_PROFILED_VALUES ? samples.length / MAX_PROFILED_VALUES : 1;
  const counts: Partial<Record<ValueKind, number>> = {};
  const seen = new Set<string>();
  const numbers: number[] = [];
  const units = new Map<string, number>();
  let count = 0;
  let previous: number | undefined;
  let steps = 0;
  const picks = Math.min(samples.length, MAX_PROFILED_VALUES);
  for (let k = 0; k < picks; k++) {
    const raw = (samples[Math.floor(k * step)] ?? "").slice(0, MAX_CELL).trim();
    const value = foldText(raw).trim();
    if (BLANKS.has(value)) continue;
    count++;
    seen.add(value);
    const kinds = classify(raw, value, numbers, units);
    for (const kind of kinds) counts[kind] = (counts[kind] ?? 0) + 1;
    const n = kinds.includes("integer") ? Number(value) : undefined;
    if (n !== undefined && previous !== undefined && n === previous + 1) steps++;
    previous = n;
  }
  const share: ValueProfile["share"] = {};
  for (const [kind, n] of Object.entries(counts)) share[kind as ValueKind] = n / Math.max(1, count);
  let cellUnit: string | undefined;
  for (const [unit, n] of units) if (n >= count * 0.5) cellUnit = unit;
  const sequence = count >= 5 && steps >= (count - 1) * 0.8;
  return { count, distinct: seen.size / Math.max(1, count), share, numbers: stats(numbers), cellUnit, sequence };
}

function stats(numbers: number[]): NumberStats | undefined {
  if (numbers.length === 0) return undefined;
  const sorted = numbers.sort((a, b) => a - b);
  return {
    count: sorted.length,
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
    median: sorted[Math.floor(sorted.length / 2)] as number,
  };
}

/** A number written in any of the languages: "1.234,5", "1,234.5", "16 384", "0,49". */
export function readNumber(text: string): number | undefined {
  let t = text.replace(/[' ]/g, "");
  if (/^-?\d+$/.test(t)) return Number(t);
  if (/^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(t) && !/^-?0,/.test(t)) t = t.replace(/,/g, "");
  else if (/^-?\d{1,3}(\.\d{3}){2,}(,\d+)?$/.test(t) || /^-?\d{1,3}\.\d{3},\d+$/.test(t))
    t = t.replace(/\./g, "").replace(",", ".");
  else if (/^-?\d+,\d+$/.test(t)) t = t.replace(",", ".");
  else if (!/^-?\d+\.\d+$/.test(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

function classify(raw: string, value: string, numbers: number[], units: Map<string, number>): ValueKind[] {
  const kinds: ValueKind[] = [];
  const first = value.charCodeAt(0);
  const startsDigit = first >= 48 && first <= 57;
  if (startsDigit || value[0] === "-") {
    const match = NUMBER_WITH_UNIT.exec(value);
    if (match?.[1]) {
      const n = readNumber(match[1]);
      const unit = match[2] ? CELL_UNITS[match[2]] : undefined;
      if (n !== undefined && (!match[2] || unit)) {
        kinds.push("number");
        numbers.push(n);
        if (unit) units.set(unit, (units.get(unit) ?? 0) + 1);
        if (Number.isInteger(n) && !/[.,]/.test(match[1])) {
          kinds.push("integer");
          if ((n >= 1e9 && n < 2.2e9) || (n >= 1e12 && n < 2.2e12)) kinds.push("epoch");
        }
        if (n > 0 && n < 1 && /[.,]/.test(match[1])) kinds.push("fraction");
      }
    }
    const product = /^(\d+)\s*[x×*]\s*(\d+)$/.exec(value);
    if (product) {
      kinds.push("number");
      numbers.push(Number(product[1]) * Number(product[2]));
      units.set("cores", (units.get("cores") ?? 0) + 1);
    }
  }
  if (
    (startsDigit || value[0] === "[" || value[0] === '"' || /^[0-9a-f:]+$/.test(value.slice(0, 5))) &&
    isIpList(value)
  )
    kinds.push("ip");
  if (MAC_ADDRESS.test(value) || (value.length > 17 && isList(value, (part) => MAC_ADDRESS.test(part))))
    kinds.push("mac");
  if (UUID_CANONICAL.test(value)) kinds.push("uuid");
  if (VERSION.test(value)) kinds.push("version");
  if (DATE.test(value)) kinds.push("date");
  if (value.includes("@") && /^[^\s@]+@[^\s@]+\.[a-z]{2,}$/.test(value)) kinds.push("email");
  const letters = /[a-z]/.test(value);
  if (letters) {
    if (FQDN.test(value) && /\.[a-z][a-z0-9-]*$/.test(value) && !/^\d+(\.\d+)+/.test(value)) kinds.push("fqdn");
    else if (HOSTNAME.test(value) && value.length <= 63) kinds.push("hostname");
    if (OS_WORDS.test(value) && value.length > 3 && value.length < 100 && !value.includes("/s")) kinds.push("os");
    if (PERSON.test(raw)) kinds.push("person");
    if (TAGS.test(value) && !value.includes("://")) kinds.push("tags");
    if (isSeveral(value)) kinds.push("list");
    if (!value.includes(" ") && /\d/.test(value)) kinds.push("id");
    else if (/^[a-z0-9][a-z0-9 -]{4,40}$/.test(value) && /\d/.test(value) && !kinds.includes("fqdn")) kinds.push("id");
    kinds.push("text");
  } else if (startsDigit && kinds.includes("integer")) kinds.push("id");
  // "PowerState/running", "state:on": the vocabulary word may follow a prefix.
  const tail = /[/:]/.test(value)
    ? value.slice(Math.max(value.lastIndexOf("/"), value.lastIndexOf(":")) + 1).trim()
    : undefined;
  for (const [kind, words] of VOCABULARIES) {
    if (words.has(value) || (tail && words.has(tail)) || (kind === "db" && dbWord(value, words))) kinds.push(kind);
  }
  return kinds;
}

/** Two or more non-empty parts split by , ; or | ("agent,ntp"): linear, no backtracking. */
function isSeveral(value: string): boolean {
  let parts = 0;
  let filled = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === "," || ch === ";" || ch === "|") {
      if (filled) parts++;
      filled = false;
    } else if (ch !== " ") filled = true;
  }
  return parts + (filled ? 1 : 0) >= 2;
}

function dbWord(value: string, words: ReadonlySet<string>): boolean {
  if (value.length > 40) return false;
  for (const word of words) if (word.length > 4 && value.includes(word)) return true;
  return false;
}

function isList(value: string, test: (part: string) => boolean): boolean {
  const parts = value.split(/[\s,;|"[\]]+/).filter(Boolean);
  return parts.length > 0 && parts.length <= 32 && parts.every(test);
}

/** Addresses with any separator, as a JSON array, or with a CIDR suffix. */
function isIpList(value: string): boolean {
  const parts = value.split(/[\s,;|"[\]]+/).filter(Boolean);
  if (parts.length === 0 || parts.length > 32) return false;
  return parts.every((part) => {
    const address = part.replace(/\/\d{1,3}$/, "");
    // "10.0.0.1:9100" (an exporter's instance) is an address and a port.
    return isIpAddress(address) || (address.split(":").length === 2 && isIpAddress(address.replace(/:\d{2,5}$/, "")));
  });
}
