/**
 * End-of-support operating systems (vendor mainstream and extended support both ended):
 * Windows Server 2012 R2 and older, RHEL/Oracle Linux 6 and older, CentOS 7 and older,
 * Ubuntu 16.04 and older, SUSE 11 and older, Debian 9 and older. "Very old" ones (Windows
 * Server 2008 and older, RHEL/CentOS/Oracle Linux 5, Ubuntu 12.04, SUSE 10, Debian 7 and older)
 * have no supported in-place upgrade path worth taking.
 */
export interface EndOfSupport {
  /** Readable name, e.g. "Windows Server 2008 R2", "CentOS 7". */
  label: string;
  veryOld: boolean;
}

const WINDOWS = /windows/i;
const WINDOWS_YEAR = /\b(2000|2003|2008|2012|2016|2019|2022|2025)(\s*r2)?\b/i;
const WINDOWS_DESKTOP_OLD = /\b(xp|vista|nt\s*4)\b/i;
// NT kernel versions as inventory tools report them (OS.Version 6.3 = Server 2012 R2).
const NT_KERNEL: ReadonlyMap<string, string> = new Map([
  ["5.0", "2000"],
  ["5.2", "2003"],
  ["6.0", "2008"],
  ["6.1", "2008 R2"],
  ["6.2", "2012"],
  ["6.3", "2012 R2"],
]);
const NT_VERSION = /^(\d+\.\d+)/;
const VERSION = /(\d+)(?:\.(\d+))?/;

interface Distro {
  name: string;
  match: RegExp;
  /** Versions up to and including [major, minor] are out of support. */
  lastUnsupported: readonly [number, number];
  lastVeryOld: readonly [number, number];
}

const DISTROS: readonly Distro[] = [
  { name: "CentOS", match: /centos/i, lastUnsupported: [7, 99], lastVeryOld: [5, 99] },
  { name: "Oracle Linux", match: /oracle\s*linux|\bol\s*\d/i, lastUnsupported: [6, 99], lastVeryOld: [5, 99] },
  { name: "Red Hat Enterprise Linux", match: /rhel|red\s*hat/i, lastUnsupported: [6, 99], lastVeryOld: [5, 99] },
  { name: "Ubuntu", match: /ubuntu/i, lastUnsupported: [16, 4], lastVeryOld: [12, 4] },
  { name: "SUSE Linux Enterprise", match: /suse|sles/i, lastUnsupported: [11, 99], lastVeryOld: [10, 99] },
  { name: "Debian", match: /debian/i, lastUnsupported: [9, 99], lastVeryOld: [7, 99] },
];

/** The end-of-support verdict for an OS name and version, or undefined when supported or unknown. */
export function endOfSupport(operatingSystem: string, osVersion: string): EndOfSupport | undefined {
  const text = `${operatingSystem} ${osVersion}`;
  if (WINDOWS.test(text)) return windowsEndOfSupport(operatingSystem, osVersion);
  for (const distro of DISTROS) {
    const found = distro.match.exec(operatingSystem) ?? distro.match.exec(text);
    if (!found) continue;
    // The version in the OS name wins; a separate version column fills in when the name has none.
    const afterName = operatingSystem.slice((found.index ?? 0) + found[0].length);
    const version = VERSION.exec(afterName) ?? VERSION.exec(osVersion);
    if (!version) return undefined;
    const major = Number(version[1]);
    const minor = Number(version[2] ?? 0);
    if (!atMost(major, minor, distro.lastUnsupported)) return undefined;
    const label = `${distro.name} ${version[2] === undefined ? major : `${major}.${version[2]}`}`;
    return { label, veryOld: atMost(major, minor, distro.lastVeryOld) };
  }
  return undefined;
}

function windowsEndOfSupport(operatingSystem: string, osVersion: string): EndOfSupport | undefined {
  const text = `${operatingSystem} ${osVersion}`;
  if (WINDOWS_DESKTOP_OLD.test(text)) return { label: "Windows (legacy desktop)", veryOld: true };
  const year = WINDOWS_YEAR.exec(operatingSystem) ?? WINDOWS_YEAR.exec(osVersion);
  let release = year
    ? `${year[1]}${year[2] ? " R2" : ""}`
    : NT_KERNEL.get(NT_VERSION.exec(osVersion.trim())?.[1] ?? "");
  if (!release) return undefined;
  release = release.trim();
  const first = Number(release.slice(0, 4));
  if (first > 2012) return undefined;
  return { label: `Windows Server ${release}`, veryOld: first <= 2008 };
}

function atMost(major: number, minor: number, limit: readonly [number, number]): boolean {
  return major < limit[0] || (major === limit[0] && minor <= limit[1]);
}
