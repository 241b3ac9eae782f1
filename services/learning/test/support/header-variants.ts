import { headerWords } from "@migrate/domain";

// How people shorten inventory headers; used to build held-out spellings the tenant never taught.
const ABBREVIATIONS: Record<string, string> = {
  address: "addr",
  addresses: "addrs",
  allocated: "alloc",
  application: "app",
  applications: "apps",
  architecture: "arch",
  assigned: "asgn",
  cluster: "clstr",
  configuration: "config",
  count: "cnt",
  cores: "crs",
  datacenter: "dc",
  department: "dept",
  description: "desc",
  disk: "dsk",
  disks: "dsks",
  environment: "env",
  hosting: "hstg",
  identifier: "id",
  location: "loc",
  logical: "lgcl",
  machine: "mach",
  memory: "mem",
  name: "nm",
  number: "num",
  operational: "oper",
  owned: "ownd",
  percentage: "pct",
  physical: "phys",
  power: "pwr",
  powerstate: "pwrstate",
  primary: "prim",
  processor: "proc",
  processors: "procs",
  provisioned: "prov",
  serial: "ser",
  server: "srv",
  size: "sz",
  source: "src",
  status: "stat",
  system: "sys",
  total: "tot",
  utilization: "util",
  version: "ver",
  virtual: "virt",
};

/** "Memory (In MB)" → "memory_in_mb": new separators and casing, same words. */
export function snakeCase(header: string): string {
  return headerWords(header).join("_");
}

/** "Server name" → "SERVER-NAME". */
export function upperKebab(header: string): string {
  return headerWords(header).join("-").toUpperCase();
}

/** "Server name" → "srv_nm"; undefined when no word of the header has a usual abbreviation. */
export function abbreviate(header: string): string | undefined {
  const words = headerWords(header);
  const shortened = words.map((word) => ABBREVIATIONS[word] ?? word);
  return shortened.some((word, i) => word !== words[i]) ? shortened.join("_") : undefined;
}

/** The values of each column of a small CSV without quoted fields (the format fixtures). */
export function columnSamples(csv: string): Map<string, string[]> {
  const [head = "", ...lines] = csv.split("\n");
  const headers = head.split(",");
  const samples = new Map<string, string[]>(headers.map((header) => [header, []]));
  for (const line of lines) {
    line.split(",").forEach((value, i) => {
      if (value) samples.get(headers[i] ?? "")?.push(value);
    });
  }
  return samples;
}
