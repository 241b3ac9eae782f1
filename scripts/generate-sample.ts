/**
 * Deterministic generator of realistic, messy server inventories (and a connections file):
 * the same seed always gives the same bytes, so demos, tests and benchmarks are comparable.
 *
 *   node scripts/generate-sample.ts [--servers 10000] [--seed 42] [--out samples/inventory.csv]
 *                                   [--connections samples/connections.csv]
 *                                   [--format spreadsheet|aws|azure|rvtools|gcp|servicenow]
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

/** The export shapes the generator can write (the header shapes of docs/agents.md's formats). */
export const SAMPLE_FORMATS = ["spreadsheet", "aws", "azure", "rvtools", "gcp", "servicenow"] as const;
export type SampleFormat = (typeof SAMPLE_FORMATS)[number];

/** One generated server, before it is written in a format's shape (messy values included). */
interface ServerRecord {
  index: number;
  name: string;
  ip: string;
  os: string;
  cores: number;
  cpu: string;
  memGb: number;
  ram: string;
  diskGb: number;
  disk: string;
  environment: string;
  application: string;
  owner: string;
  datacenter: string;
  criticality: string;
  poweredOn: boolean;
  cpuUtil: string;
}

export function generateSample(options: { servers: number; seed: number; format?: SampleFormat }): GeneratedSample {
  const random = prng(options.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const records: ServerRecord[] = [];
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
    records.push({
      index: i,
      name: random() < 0.01 ? ` ${name.toUpperCase()} ` : name,
      ip: random() < 0.05 ? `${ip}, 192.168.${i & 255}.${(i >> 8) & 255}` : ip,
      os: pick(OSES),
      cores,
      cpu: pick([`${cores}`, `${cores} vCPU`, `${cores / 2}x2`, `${cores} cores`]),
      memGb,
      ram: pick([`${memGb} GB`, `${memGb * 1024} MB`, `${memGb}GB`, `${memGb * 1024} MiB`]),
      diskGb,
      disk: random() < 0.03 ? "n/a" : pick([`${diskGb} GB`, `${diskGb / 1000} TB`, `${diskGb}`]),
      environment: pick(ENVS),
      application: random() < 0.1 ? "" : app,
      owner: `${pick(["alice", "bob", "chen", "dana", "eve"])}.${pick(["smith", "jones", "li", "khan"])}@example.com`,
      datacenter: pick(DATACENTERS),
      criticality: pick(CRITICALITY),
      poweredOn: random() >= 0.05,
      cpuUtil: random() < 0.02 ? "high" : `${Math.round(random() * 900) / 10}`,
    });
  }
  // About 1 % duplicates: the same server exported twice.
  for (let i = 0; i < Math.floor(options.servers / 100); i++) {
    records.push({ ...(records[Math.floor(random() * records.length)] as ServerRecord) });
  }

  const connections: string[][] = [];
  const byApp = Map.groupBy(hosts, (h) => h.app);
  for (const host of hosts) {
    if (host.role.role === "db" || random() < 0.2) continue;
    // A peer is picked among the first 50 of the host's application (a scan of every host per
    // host made 100,000 servers take over a minute).
    const peers: typeof hosts = [];
    for (const h of byApp.get(host.app) ?? []) {
      if (peers.length === 50) break;
      if (h !== host) peers.push(h);
    }
    for (let k = 0; k < 2 && peers.length; k++) {
      const peer = peers[Math.floor(random() * peers.length)] as (typeof hosts)[number];
      connections.push([host.name, peer.ip, String(pick(peer.role.ports)), "TCP"]);
    }
  }
  connections.push(["web-external-01", hosts[0]?.ip ?? "10.0.0.0", "443", "TCP"]);

  return {
    inventoryCsv: toCsv(render(options.format ?? "spreadsheet", records)),
    connectionsCsv: toCsv([["source", "destination", "port", "protocol"], ...connections]),
  };
}

/** Writes the records in a format's real header shape, with that format's units. */
function render(format: SampleFormat, records: ServerRecord[]): string[][] {
  const id = (r: ServerRecord) => `srv-${String(r.index).padStart(6, "0")}`;
  const uuid = (r: ServerRecord) => `420c1c4e-8f6a-4b2d-9b1e-${r.index.toString(16).padStart(12, "0")}`;
  switch (format) {
    case "aws":
      return [
        [
          "ExternalId",
          "HostName",
          "IPAddress",
          "VMware.VMName",
          "CPU.NumberOfLogicalCores",
          "OS.Name",
          "RAM.TotalSizeInMB",
          "CPU.UsagePct.Avg",
          "Applications",
        ],
        ...records.map((r) => [
          id(r),
          r.name,
          r.ip,
          r.name.toUpperCase(),
          `${r.cores}`,
          r.os,
          `${r.memGb * 1024}`,
          r.cpuUtil,
          r.application,
        ]),
      ];
    case "azure":
      return [
        [
          "Server name",
          "IP addresses",
          "Cores",
          "Memory (In MB)",
          "OS name",
          "CPU utilization percentage",
          "Number of disks",
          "Disk 1 size (In GB)",
        ],
        ...records.map((r) => [r.name, r.ip, `${r.cores}`, `${r.memGb * 1024}`, r.os, r.cpuUtil, "1", `${r.diskGb}`]),
      ];
    case "rvtools":
      return [
        [
          "VM",
          "Powerstate",
          "DNS Name",
          "CPUs",
          "Memory",
          "Provisioned MiB",
          "Primary IP Address",
          "Datacenter",
          "OS according to the configuration file",
          "VM UUID",
        ],
        ...records.map((r) => [
          r.name,
          r.poweredOn ? "poweredOn" : "poweredOff",
          `${r.name.trim()}.corp.local`,
          `${r.cores}`,
          `${r.memGb * 1024}`,
          `${r.diskGb * 1024}`,
          r.ip,
          r.datacenter,
          r.os,
          uuid(r),
        ]),
      ];
    case "gcp":
      return [
        [
          "MachineId",
          "MachineName",
          "PrimaryIPAddress",
          "AllocatedProcessorCoreCount",
          "MemoryGiB",
          "TotalDiskAllocatedGiB",
          "OsName",
          "MachineStatus",
        ],
        ...records.map((r) => [
          id(r),
          r.name,
          r.ip,
          `${r.cores}`,
          `${r.memGb}`,
          `${r.diskGb}`,
          r.os,
          r.poweredOn ? "Running" : "Stopped",
        ]),
      ];
    case "servicenow":
      return [
        ["sys_id", "name", "ip_address", "os", "cpu_core_count", "ram", "disk_space", "used_for", "owned_by"],
        ...records.map((r) => [
          id(r),
          r.name,
          r.ip,
          r.os,
          `${r.cores}`,
          `${r.memGb * 1024}`,
          `${r.diskGb}`,
          r.environment,
          r.owner,
        ]),
      ];
    default:
      return [
        [
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
        ],
        ...records.map((r) => [
          r.name,
          r.ip,
          r.os,
          r.cpu,
          r.ram,
          r.disk,
          r.environment,
          r.application,
          r.owner,
          r.datacenter,
          r.criticality,
          r.poweredOn ? "poweredOn" : "poweredOff",
          r.cpuUtil,
        ]),
      ];
  }
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
      format: { type: "string", default: "spreadsheet" },
    },
  });
  const format = values.format as SampleFormat;
  if (!SAMPLE_FORMATS.includes(format)) {
    console.error(`unknown --format ${values.format}; one of ${SAMPLE_FORMATS.join(", ")}`);
    process.exit(2);
  }
  const sample = generateSample({ servers: Number(values.servers), seed: Number(values.seed), format });
  writeFileSync(values.out, sample.inventoryCsv);
  writeFileSync(values.connections, sample.connectionsCsv);
  console.error(`wrote ${values.out} and ${values.connections}`);
}
