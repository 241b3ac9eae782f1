/**
 * One generated server per row: every format renders the same kind of machine in its own shape,
 * so related columns agree (memory in MB and in GB, host name and FQDN). Deterministic by seed.
 */
export type Rng = () => number;

/** mulberry32: small, fast and deterministic; enough for generated inventories. */
export function rng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(r: Rng, list: readonly T[]): T => list[Math.floor(r() * list.length)] as T;
export const int = (r: Rng, min: number, max: number): number => min + Math.floor(r() * (max - min + 1));
const hex = (r: Rng, n: number) => Array.from({ length: n }, () => "0123456789abcdef"[int(r, 0, 15)]).join("");

export type Env = "production" | "staging" | "test" | "development" | "dr";
export type Crit = "low" | "medium" | "high" | "critical";

export interface Machine {
  index: number;
  name: string;
  domain: string;
  fqdn: string;
  ip: string;
  ips: string[];
  mac: string;
  serial: string;
  uuid: string;
  osFamily: "windows" | "linux" | "unix";
  os: string;
  osVersion: string;
  arch: string;
  kernel: string;
  cores: number;
  sockets: number;
  memGb: number;
  diskGb: number;
  usedGb: number;
  diskCount: number;
  env: Env;
  crit: Crit;
  on: boolean;
  virtual: boolean;
  platform: string;
  esxHost: string;
  dc: string;
  cluster: string;
  city: string;
  app: string;
  role: string;
  bizOwner: string;
  techOwner: string;
  email: string;
  bu: string;
  costCenter: string;
  cpuAvg: number;
  cpuMax: number;
  memAvg: number;
  memMax: number;
  iops: number;
  netMbps: number;
  dbType: string;
  dbVersion: string;
  dbEdition: string;
  dbName: string;
  assetTag: string;
  manufacturer: string;
  model: string;
  lastSeen: Date;
}

const OS: ReadonlyArray<[Machine["osFamily"], string, string]> = [
  ["windows", "Microsoft Windows Server 2019 Standard", "10.0.17763"],
  ["windows", "Microsoft Windows Server 2016 Datacenter", "10.0.14393"],
  ["windows", "Microsoft Windows Server 2012 R2 Standard", "6.3.9600"],
  ["windows", "Microsoft Windows Server 2022 Datacenter", "10.0.20348"],
  ["linux", "Red Hat Enterprise Linux 8.6", "8.6"],
  ["linux", "Red Hat Enterprise Linux 7.9", "7.9"],
  ["linux", "Ubuntu 22.04.3 LTS", "22.04"],
  ["linux", "SUSE Linux Enterprise Server 15 SP4", "15.4"],
  ["linux", "CentOS Linux 7", "7.9.2009"],
  ["linux", "Oracle Linux Server 8.8", "8.8"],
  ["unix", "AIX 7.2", "7.2"],
];
const APPS = ["Billing", "CRM", "Payroll", "Webshop", "HR Portal", "Inventory", "Reporting", "SSO", "ERP", "Mail"];
const ROLES = ["web", "app", "db", "batch", "file", "proxy"];
const PEOPLE = [
  "Anna Schmidt",
  "Luc Martin",
  "Sofía García",
  "João Silva",
  "Marco Rossi",
  "Daan de Vries",
  "Priya Patel",
  "Tom Baker",
];
const BUS = ["Finance", "Retail", "Logistics", "HR", "IT Operations", "Marketing"];
const CITIES = ["Frankfurt", "Lyon", "Madrid", "Lisboa", "Milano", "Amsterdam", "London", "Dublin"];
const DB: ReadonlyArray<[string, string, string]> = [
  ["Microsoft SQL Server", "15.0.4322.2", "Enterprise"],
  ["Microsoft SQL Server", "13.0.6300.2", "Standard"],
  ["Oracle", "19.18.0.0.0", "Enterprise Edition"],
  ["PostgreSQL", "14.9", "Community"],
  ["MySQL", "8.0.34", "Community"],
];
const VENDORS: ReadonlyArray<[string, string]> = [
  ["Dell Inc.", "PowerEdge R740"],
  ["HPE", "ProLiant DL380 Gen10"],
  ["VMware, Inc.", "VMware Virtual Platform"],
  ["Lenovo", "ThinkSystem SR650"],
  ["Microsoft Corporation", "Virtual Machine"],
];
const MEM = [2, 4, 8, 8, 16, 16, 32, 64, 128, 256];
const CORES = [1, 2, 2, 4, 4, 8, 8, 16, 24, 32];

export function machine(r: Rng, index: number, prefix = "srv"): Machine {
  const app = pick(r, APPS);
  const role = pick(r, ROLES);
  const name = `${prefix}-${app.toLowerCase().replace(/\s+/g, "")}-${role}${String(index % 97).padStart(2, "0")}`;
  const domain = pick(r, ["corp.example.com", "ad.example.net", "prod.example.org"]);
  const [osFamily, os, osVersion] = pick(r, OS);
  const memGb = pick(r, MEM);
  const cores = pick(r, CORES);
  const diskGb = pick(r, [40, 60, 80, 100, 120, 200, 250, 500, 1000, 2000]);
  const virtual = r() < 0.8;
  const [dbType, dbVersion, dbEdition] = pick(r, DB);
  const [manufacturer, model] = virtual ? (pick(r, [VENDORS[2], VENDORS[4]]) as [string, string]) : pick(r, VENDORS);
  const ip = `10.${int(r, 0, 40)}.${int(r, 0, 255)}.${int(r, 1, 254)}`;
  const cpuAvg = Math.round(r() * 600) / 10;
  const memAvg = Math.round((20 + r() * 60) * 10) / 10;
  const owner = pick(r, PEOPLE);
  return {
    index,
    name,
    domain,
    fqdn: `${name}.${domain}`,
    ip,
    ips: r() < 0.3 ? [ip, `10.${int(r, 100, 120)}.${int(r, 0, 255)}.${int(r, 1, 254)}`] : [ip],
    mac: Array.from({ length: 6 }, () => hex(r, 2))
      .join(":")
      .toUpperCase(),
    serial: virtual
      ? `VMware-42 ${hex(r, 2)} ${hex(r, 2)} ${hex(r, 2)}`
      : `${pick(r, ["CZ", "SGH", "J30"])}${int(r, 1000000, 9999999)}`,
    uuid: `${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-a${hex(r, 3)}-${hex(r, 12)}`,
    osFamily,
    os,
    osVersion,
    arch: osFamily === "unix" ? "ppc64" : pick(r, ["x64", "x64", "x86_64"]),
    kernel: osFamily === "linux" ? `${pick(r, ["4.18.0", "5.15.0", "3.10.0"])}-${int(r, 100, 600)}` : osVersion,
    cores,
    sockets: cores >= 8 ? 2 : 1,
    memGb,
    diskGb,
    usedGb: Math.round(diskGb * (0.2 + r() * 0.7)),
    diskCount: int(r, 1, 6),
    env: pick(r, ["production", "production", "staging", "test", "development", "dr"] as const),
    crit: pick(r, ["low", "medium", "high", "critical"] as const),
    on: r() < 0.85,
    virtual,
    platform: virtual ? pick(r, ["VMware vSphere", "Hyper-V", "KVM"]) : "Physical",
    esxHost: `esx${String(int(r, 1, 24)).padStart(2, "0")}.${domain}`,
    dc: pick(r, ["DC-FRA-01", "DC-AMS-02", "DC-MAD-01", "DC-LON-03"]),
    cluster: pick(r, ["CL-PROD-01", "CL-PROD-02", "CL-DEV-01", "CL-DMZ"]),
    city: pick(r, CITIES),
    app,
    role,
    bizOwner: owner,
    techOwner: pick(r, PEOPLE),
    email: `${owner.toLowerCase().split(" ")[0]}@example.com`,
    bu: pick(r, BUS),
    costCenter: `CC-${int(r, 1000, 9999)}`,
    cpuAvg,
    cpuMax: Math.min(100, Math.round((cpuAvg + 10 + r() * 40) * 10) / 10),
    memAvg,
    memMax: Math.min(100, Math.round((memAvg + 5 + r() * 25) * 10) / 10),
    iops: int(r, 20, 9000),
    netMbps: Math.round(r() * 9000) / 10,
    dbType,
    dbVersion,
    dbEdition,
    dbName: `${app.toUpperCase().replace(/\s+/g, "")}${int(r, 1, 9)}`,
    assetTag: `AT-${int(r, 100000, 999999)}`,
    manufacturer,
    model,
    lastSeen: new Date(Date.UTC(2026, int(r, 0, 10), int(r, 1, 28), int(r, 0, 23), int(r, 0, 59))),
  };
}
