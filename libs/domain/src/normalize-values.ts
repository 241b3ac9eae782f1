/**
 * Value normalisation for cleansing: sizes to GB, CPU strings to cores, vocabularies to the
 * canonical enums, OS strings to family and version. Each returns undefined when the value
 * cannot be read, so the caller can report the row instead of guessing.
 */

// Inventories say "MB" and "GB" for binary units (a VM with "16384 MB" has 16 GB of memory), and
// RVTools says MiB outright: every size is read as binary, so 16384 MB, 16384 MiB and 16 GiB all
// become 16 GB. Decimal sizes would make one machine 16 GB in one export and 17.18 GB in another.
const SIZE_UNITS: Record<string, number> = {
  b: 1 / 1024 ** 3,
  kb: 1 / 1024 ** 2,
  kib: 1 / 1024 ** 2,
  mb: 1 / 1024,
  mib: 1 / 1024,
  gb: 1,
  gib: 1,
  tb: 1024,
  tib: 1024,
};

/** "16 GB", "16384 MB", "16 GiB", "1.5 TB", "16" (in `defaultUnit`) → GB, rounded to 2 decimals. */
export function parseSizeGb(value: string, defaultUnit: keyof typeof SIZE_UNITS = "gb"): number | undefined {
  // Trimmed first: `\s*` on both sides of an optional unit made a long inner run of spaces
  // quadratic (every split of the run was tried); anchored between two `\s*`-free ends it is linear.
  const match = /^([0-9]+(?:[.,][0-9]+)?)\s*([kmgt]i?b|b)?$/i.exec(value.trim().replace(/(\d),(\d{3})\b/g, "$1$2"));
  if (!match?.[1]) return undefined;
  const amount = Number(match[1].replace(",", "."));
  const unit = (match[2] ?? defaultUnit).toLowerCase();
  const factor = SIZE_UNITS[unit];
  if (factor === undefined || !Number.isFinite(amount)) return undefined;
  return Math.round(amount * factor * 100) / 100;
}

/** "4", "4 vCPU", "4 cores", "2x4" (sockets × cores), "2 x 4" → cores. */
export function parseCpuCores(value: string): number | undefined {
  const text = value.trim().toLowerCase();
  const product = /^(\d+)\s*[x×*]\s*(\d+)/.exec(text);
  if (product) return Number(product[1]) * Number(product[2]);
  const single = /^(\d+(?:\.\d+)?)\s*(v?cpus?|cores?|vcores?|processors?)?$/.exec(text);
  if (!single) return undefined;
  const cores = Number(single[1]);
  return Number.isInteger(cores) && cores > 0 ? cores : undefined;
}

/** "45", "45%", "0.45" (a fraction) → percent 0..100. */
export function parsePercent(value: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*%?$/.exec(value.trim());
  if (!match) return undefined;
  let amount = Number(match[1]);
  if (!value.includes("%") && amount > 0 && amount < 1 && match[1]?.includes(".")) amount *= 100;
  return amount <= 100 ? Math.round(amount * 10) / 10 : undefined;
}

const ENVIRONMENT_WORDS: Record<string, string> = {
  prod: "production",
  production: "production",
  prd: "production",
  live: "production",
  p: "production",
  stage: "staging",
  staging: "staging",
  stg: "staging",
  preprod: "staging",
  uat: "staging",
  "pre-prod": "staging",
  test: "test",
  tst: "test",
  qa: "test",
  testing: "test",
  sit: "test",
  dev: "development",
  development: "development",
  develop: "development",
  sandbox: "development",
  lab: "development",
  dr: "dr",
  disasterrecovery: "dr",
  "disaster recovery": "dr",
  bcp: "dr",
};
export function normalizeEnvironment(value: string): string | undefined {
  return ENVIRONMENT_WORDS[value.trim().toLowerCase()];
}

const CRITICALITY_WORDS: Record<string, string> = {
  low: "low",
  "4": "low",
  "4 - low": "low",
  minor: "low",
  medium: "medium",
  med: "medium",
  moderate: "medium",
  "3": "medium",
  "3 - moderate": "medium",
  high: "high",
  "2": "high",
  "2 - high": "high",
  important: "high",
  critical: "critical",
  "1": "critical",
  "1 - critical": "critical",
  "mission critical": "critical",
  "tier 0": "critical",
};
export function normalizeCriticality(value: string): string | undefined {
  return CRITICALITY_WORDS[value.trim().toLowerCase()];
}

const POWER_WORDS: Record<string, string> = {
  on: "on",
  poweredon: "on",
  running: "on",
  "powered on": "on",
  up: "on",
  active: "on",
  started: "on",
  off: "off",
  poweredoff: "off",
  stopped: "off",
  "powered off": "off",
  down: "off",
  deallocated: "off",
  retired: "off",
  suspended: "suspended",
  paused: "suspended",
  // ServiceNow's operational_status.
  operational: "on",
  "non-operational": "off",
  nonoperational: "off",
};
export function normalizePowerState(value: string): string | undefined {
  return POWER_WORDS[value.trim().toLowerCase()];
}

export interface OsInfo {
  family: "windows" | "linux" | "unix" | "other";
  name: string;
  version: string;
}

const LINUX = /(linux|rhel|red ?hat|centos|ubuntu|debian|suse|sles|oracle ?linux|amazon ?linux|fedora|rocky|alma)/i;
const UNIX = /(aix|solaris|hp-?ux|sunos|freebsd)/i;

/** "Microsoft Windows Server 2012 R2 Datacenter" → windows / Windows Server / 2012 R2. */
export function parseOperatingSystem(value: string): OsInfo | undefined {
  const text = value.trim();
  if (!text) return undefined;
  if (/windows/i.test(text)) {
    const version = /(20\d\d(?:\s*R2)?|\b(?:10|11|7|8(?:\.1)?|xp|vista)\b|nt\s*[\d.]+)/i.exec(text)?.[1] ?? "";
    const name = /server/i.test(text) ? "Windows Server" : "Windows";
    return { family: "windows", name, version: version.replace(/\s+/g, " ").toUpperCase() };
  }
  const linux = LINUX.exec(text);
  if (linux) {
    const name = canonicalLinuxName(linux[1] ?? "");
    const version = /(\d+(?:\.\d+)*)/.exec(text.slice((linux.index ?? 0) + (linux[1]?.length ?? 0)))?.[1] ?? "";
    return { family: "linux", name, version };
  }
  const unix = UNIX.exec(text);
  if (unix) return { family: "unix", name: unix[1] ?? text, version: /(\d+(?:\.\d+)*)/.exec(text)?.[1] ?? "" };
  return { family: "other", name: text, version: /(\d+(?:\.\d+)*)/.exec(text)?.[1] ?? "" };
}

function canonicalLinuxName(token: string): string {
  const t = token.toLowerCase().replace(/\s+/g, "");
  if (t === "rhel" || t === "redhat") return "Red Hat Enterprise Linux";
  if (t === "sles" || t === "suse") return "SUSE Linux Enterprise Server";
  if (t === "centos") return "CentOS";
  if (t === "ubuntu") return "Ubuntu";
  if (t === "debian") return "Debian";
  if (t === "oraclelinux") return "Oracle Linux";
  if (t === "amazonlinux") return "Amazon Linux";
  if (t === "rocky") return "Rocky Linux";
  if (t === "alma") return "AlmaLinux";
  if (t === "fedora") return "Fedora";
  return "Linux";
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
// Hex digits and colons, with a colon after the first character (checked in `isIpAddress`):
// `^[0-9a-f:]+:[0-9a-f:]*$` tried every colon of a long run that did not end right (quadratic).
const IPV6 = /^[0-9a-f:]+$/i;
// "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255" is the longest text form; nothing longer is one.
const MAX_IP_LENGTH = 45;

export function isIpAddress(value: string): boolean {
  if (value.length > MAX_IP_LENGTH) return false;
  if (IPV4.test(value)) return true;
  // A MAC address is hex and colons too: six two-digit groups are never read as IPv6.
  return (
    IPV6.test(value) && value.indexOf(":", 1) > 0 && (value.match(/:/g)?.length ?? 0) >= 2 && !MAC_ADDRESS.test(value)
  );
}

/** "10.0.0.1, 10.0.0.2; fe80::1" → the valid addresses, in order, without duplicates. */
export function parseIpList(value: string): string[] {
  const parts = value.split(/[\s,;|]+/).filter(Boolean);
  return [...new Set(parts.filter(isIpAddress))];
}

export const MAC_ADDRESS = /^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i;
export const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
