/**
 * The vocabulary the format files are written in: a column is a header, a value generator and
 * the canonical targets a person would accept (`null`: no canonical field, a custom attribute;
 * left out: not scored). Generators read the row's machine, so related columns agree.
 */
import { int, type Machine, pick, type Rng } from "./machine.ts";
import { dec, type Lang } from "./render.ts";

export type Gen = (m: Machine, r: Rng) => string | number;
export type Target = string | null;

export interface Col {
  header: string;
  gen: Gen;
  /** Acceptable targets; undefined: the column is not scored. */
  expect?: readonly Target[];
  /** Why the column is a trap, when it is one. */
  trap?: string;
}

export interface FormatSpec {
  name: string;
  split: "dev" | "held-out";
  /** The public documentation or exporter the header list is modelled on. */
  source: string;
  kind: "discovery" | "monitoring" | "cmdb" | "hypervisor" | "database" | "spreadsheet" | "preset";
  lang: "en" | "de" | "fr" | "es" | "pt" | "it" | "nl";
  rows: number;
  delimiter?: string;
  columns: Col[];
  /** Columns carrying one quantity: exactly one of them takes the target, the others name it as sibling. */
  siblings?: Array<{ target: string; columns: string[] }>;
}

/** A scored column. `t` is one target, a list of acceptable ones, or null for a custom attribute. */
export function c(header: string, gen: Gen, t: Target | readonly Target[], trap?: string): Col {
  return { header, gen, expect: Array.isArray(t) ? t : [t as Target], trap };
}
/** An unscored column (its right answer is a matter of opinion). */
export const u = (header: string, gen: Gen): Col => ({ header, gen });

/** Leaves most cells empty: sparse columns are common in hand-kept sheets. */
export const sparse =
  (share: number, gen: Gen): Gen =>
  (m, r) =>
    r() < share ? gen(m, r) : "";
export const oneOf =
  (...values: string[]): Gen =>
  (_m, r) =>
    pick(r, values);
export const num =
  (min: number, max: number): Gen =>
  (_m, r) =>
    int(r, min, max);

export const g = {
  index: (m: Machine) => m.index + 1,
  id: (prefix: string) => (m: Machine) => `${prefix}${String(10000 + m.index)}`,
  name: (m: Machine) => m.name,
  upperName: (m: Machine) => m.name.toUpperCase(),
  fqdn: (m: Machine) => m.fqdn,
  domain: (m: Machine) => m.domain,
  ip: (m: Machine) => m.ip,
  ips: (sep: string) => (m: Machine) => m.ips.join(sep),
  ipsJson: (m: Machine) => JSON.stringify(m.ips),
  mac: (m: Machine) => m.mac,
  macDash: (m: Machine) => m.mac.replace(/:/g, "-"),
  serial: (m: Machine) => m.serial,
  uuid: (m: Machine) => m.uuid,
  upperUuid: (m: Machine) => m.uuid.toUpperCase(),
  os: (m: Machine) => m.os,
  osShort: (m: Machine) => m.os.replace(/^Microsoft /, "").replace(/ (Standard|Datacenter)$/, ""),
  osFamily: (m: Machine) => ({ windows: "Windows", linux: "Linux", unix: "Unix" })[m.osFamily],
  osVersion: (m: Machine) => m.osVersion,
  kernel: (m: Machine) => m.kernel,
  arch: (m: Machine) => m.arch,
  cores: (m: Machine) => m.cores,
  logical: (m: Machine) => m.cores * 2,
  vcpuText: (m: Machine) => `${m.cores} vCPU`,
  sockets: (m: Machine) => m.sockets,
  memGb: (m: Machine) => m.memGb,
  memMb: (m: Machine) => m.memGb * 1024,
  memKb: (m: Machine) => m.memGb * 1024 * 1024,
  memBytes: (m: Machine) => m.memGb * 1024 ** 3,
  diskGb: (m: Machine) => m.diskGb,
  diskMb: (m: Machine) => m.diskGb * 1024,
  diskTb: (lang: Lang) => (m: Machine) => dec(m.diskGb / 1024, lang, 2),
  diskBytes: (m: Machine) => m.diskGb * 1024 ** 3,
  usedGb: (m: Machine) => m.usedGb,
  usedMb: (m: Machine) => m.usedGb * 1024,
  usedBytes: (m: Machine) => m.usedGb * 1024 ** 3,
  freeGb: (m: Machine) => m.diskGb - m.usedGb,
  freeBytes: (m: Machine) => (m.diskGb - m.usedGb) * 1024 ** 3,
  freeMemPct: (lang: Lang) => (m: Machine) => dec(100 - m.memAvg, lang),
  diskCount: (m: Machine) => m.diskCount,
  cpuAvg: (lang: Lang) => (m: Machine) => dec(m.cpuAvg, lang),
  cpuMax: (lang: Lang) => (m: Machine) => dec(m.cpuMax, lang),
  cpuAvgFraction: (m: Machine) => (m.cpuAvg / 100).toFixed(3),
  cpuMaxFraction: (m: Machine) => (m.cpuMax / 100).toFixed(3),
  cpuIdle: (m: Machine) => (100 - m.cpuAvg).toFixed(1),
  memAvg: (lang: Lang) => (m: Machine) => dec(m.memAvg, lang),
  memMax: (lang: Lang) => (m: Machine) => dec(m.memMax, lang),
  memAvgFraction: (m: Machine) => (m.memAvg / 100).toFixed(3),
  iops: (m: Machine) => m.iops,
  netMbps: (lang: Lang) => (m: Machine) => dec(m.netMbps, lang),
  dbType: (m: Machine) => m.dbType,
  dbVersion: (m: Machine) => m.dbVersion,
  dbEdition: (m: Machine) => m.dbEdition,
  dbName: (m: Machine) => m.dbName,
  dc: (m: Machine) => m.dc,
  cluster: (m: Machine) => m.cluster,
  city: (m: Machine) => m.city,
  esxHost: (m: Machine) => m.esxHost,
  platform: (m: Machine) => m.platform,
  app: (m: Machine) => m.app,
  bizOwner: (m: Machine) => m.bizOwner,
  techOwner: (m: Machine) => m.techOwner,
  email: (m: Machine) => m.email,
  bu: (m: Machine) => m.bu,
  costCenter: (m: Machine) => m.costCenter,
  assetTag: (m: Machine) => m.assetTag,
  manufacturer: (m: Machine) => m.manufacturer,
  model: (m: Machine) => m.model,
  lastSeen: (m: Machine) => m.lastSeen.toISOString().replace("T", " ").slice(0, 19),
  lastSeenEpochMs: (m: Machine) => m.lastSeen.getTime(),
  boolVirtual: (m: Machine) => (m.virtual ? "TRUE" : "FALSE"),
  boolPhysical: (m: Machine) => (m.virtual ? "false" : "true"),
  note: (_m: Machine, r: Rng) =>
    pick(r, ["", "", "", "migrate in wave 2", "owner to confirm", "legacy; check licence"]),
  uptimeDays: (_m: Machine, r: Rng) => int(r, 1, 900),
};
