/**
 * Deterministic generator of realistic, messy server inventories (and a connections file):
 * the same seed always gives the same bytes, so demos, tests and benchmarks are comparable.
 *
 *   node scripts/generate-sample.ts [--servers 10000] [--seed 42] [--out samples/inventory.csv]
 *                                   [--connections samples/connections.csv]
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";

/** mulberry32: tiny, fast, and good enough for sample data. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const APPS = ["billing", "crm", "payroll", "webshop", "hr-portal", "inventory", "reporting", "auth", "erp", "mail"];
const ROLES = [
  { role: "web", prefix: "web", ports: [443, 80] },
  { role: "app", prefix: "app", ports: [8080] },
  { role: "db", prefix: "db", ports: [1433, 5432, 3306, 1521] },
  { role: "cache", prefix: "cache", ports: [6379] },
];
const OSES = [
  "Microsoft Windows Server 2019 Standard",
  "Microsoft Windows Server 2012 R2 Datacenter",
  "Windows Server 2008 R2",
  "Red Hat Enterprise Linux 8.6",
  "RHEL 7.9",
  "Ubuntu 20.04.6 LTS",
  "CentOS 6.10",
  "SUSE Linux Enterprise Server 15 SP3",
];
const ENVS = ["Production", "prod", "PRD", "Staging", "test", "Dev", "development", "DR"];
const DATACENTERS = ["DC-LON-01", "DC-FRA-02", "dc-nyc-1"];
const CRITICALITY = ["High", "medium", "LOW", "Critical", ""];

export interface GeneratedSample {
  inventoryCsv: string;
  connectionsCsv: string;
}

export function generateSample(options: { servers: number; seed: number }): GeneratedSample {
  const random = prng(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const header = [
    "Server Name",
    "IP Address",
    "OS",
    "CPU",
    "RAM",
    "Disk Size",
    "Environment",
    "Application",
    "Owner Email",
    "Data Center",
    "Criticality",
    "Power State",
    "CPU Util %",
  ];
  const rows: string[][] = [];
  const hosts: Array<{ name: string; ip: string; app: string; role: (typeof ROLES)[number] }> = [];
  for (let i = 0; i < options.servers; i++) {
    const app = pick(APPS);
    const role = pick(ROLES);
    const name = `${app.slice(0, 4)}-${role.prefix}-${String(i).padStart(5, "0")}`;
    const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    hosts.push({ name, ip, app, role });
    const cores = pick([2, 4, 8, 16, 32]);
    const memGb = pick([4, 8, 16, 32, 64, 128]);
    const diskGb = pick([50, 100, 250, 500, 1000, 2000]);
    // Messy on purpose: units vary, some values are missing or malformed.
    const cpu = pick([`${cores}`, `${cores} vCPU`, `${cores / 2}x2`, `${cores} cores`]);
    const ram = pick([`${memGb} GB`, `${memGb * 1024} MB`, `${memGb}GB`, `${memGb * 1024} MiB`]);
    const disk = random() < 0.03 ? "n/a" : pick([`${diskGb} GB`, `${diskGb / 1000} TB`, `${diskGb}`]);
    const owner = `${pick(["alice", "bob", "chen", "dana", "eve"])}.${pick(["smith", "jones", "li", "khan"])}@example.com`;
    rows.push([
      random() < 0.01 ? ` ${name.toUpperCase()} ` : name,
      random() < 0.05 ? `${ip}, 192.168.${i & 255}.${(i >> 8) & 255}` : ip,
      pick(OSES),
      cpu,
      ram,
      disk,
      pick(ENVS),
      random() < 0.1 ? "" : app,
      owner,
      pick(DATACENTERS),
      pick(CRITICALITY),
      random() < 0.05 ? "poweredOff" : "poweredOn",
      random() < 0.02 ? "high" : `${Math.round(random() * 900) / 10}`,
    ]);
  }
  // About 1 % duplicates: the same server exported twice.
  for (let i = 0; i < Math.floor(options.servers / 100); i++)
    rows.push([...(rows[Math.floor(random() * rows.length)] ?? [])]);

  const connections: string[][] = [];
  for (const host of hosts) {
    if (host.role.role === "db" || random() < 0.2) continue;
    const peers = hosts.filter((h) => h.app === host.app && h !== host);
    for (let k = 0; k < 2 && peers.length; k++) {
      const peer = peers[Math.floor(random() * Math.min(peers.length, 50))] as (typeof hosts)[number];
      connections.push([host.name, peer.ip, String(pick(peer.role.ports)), "TCP"]);
    }
  }
  connections.push(["web-external-01", hosts[0]?.ip ?? "10.0.0.0", "443", "TCP"]);

  return {
    inventoryCsv: toCsv([header, ...rows]),
    connectionsCsv: toCsv([["source", "destination", "port", "protocol"], ...connections]),
  };
}

function toCsv(rows: string[][]): string {
  const cell = (value: string) => (/[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  return `${rows.map((row) => row.map(cell).join(",")).join("\n")}\n`;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      servers: { type: "string", default: "10000" },
      seed: { type: "string", default: "42" },
      out: { type: "string", default: "samples/inventory.csv" },
      connections: { type: "string", default: "samples/connections.csv" },
    },
  });
  const sample = generateSample({ servers: Number(values.servers), seed: Number(values.seed) });
  writeFileSync(values.out, sample.inventoryCsv);
  writeFileSync(values.connections, sample.connectionsCsv);
  console.error(`wrote ${values.out} and ${values.connections}`);
}
