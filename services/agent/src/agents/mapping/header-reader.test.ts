import { describe, expect, it } from "vitest";
import { readHeader, splitCompound } from "./header-reader.ts";

const concepts = (header: string) => [...readHeader(header).concepts.keys()].sort();

describe("readHeader", () => {
  it("splits case styles, separators and glued units", () => {
    expect(concepts("FreeSpaceGB")).toEqual(["free", "storage"]);
    expect(readHeader("FreeSpaceGB")).toMatchObject({ unit: "gb", unitKind: "size", negation: "free" });
    expect(concepts("Host_Serial_No")).toEqual(["host", "serial"]);
    expect(concepts("RAM.TotalSizeInMB")).toEqual(["memory", "size"]);
    expect(readHeader("node_memory_MemTotal_bytes")).toMatchObject({ unit: "b", assetNoun: "node" });
    expect(concepts("vCPUs")).toEqual(["cpu"]);
  });

  it("reads units, aggregations and metric-key suffixes", () => {
    expect(readHeader("system.cpu.pct:avg")).toMatchObject({ unit: "percent", aggregation: "avg" });
    expect(concepts("system.cpu.pct:avg")).toContain("utilization");
    expect(readHeader("CPU Utilization - 95th Percentile")).toMatchObject({ aggregation: "max" });
    expect(readHeader("CPU-Auslastung Ø (%)")).toMatchObject({ aggregation: "avg", unit: "percent" });
    expect(readHeader("Disk 1 read throughput (MB per second)")).toMatchObject({ unitKind: "rate" });
    expect(readHeader("Mémoire (Go)")).toMatchObject({ unit: "gb" });
    expect(readHeader("Checked Out To").unit).toBeUndefined();
  });

  it("reads the seven languages through the lexicon, compounds by lookup", () => {
    expect(concepts("Festplattengröße (GB)")).toEqual(["disk", "size"]);
    expect(concepts("Betriebssystem")).toEqual(["os"]);
    expect(concepts("Anz. CPU-Kerne")).toEqual(["core", "count"]);
    expect(concepts("Système d'exploitation")).toEqual(["os"]);
    expect(concepts("Nombre del servidor")).toEqual(["asset", "name"]);
    expect(concepts("Endereço IP")).toEqual(["ip"]);
    expect(concepts("Spazio libero (GB)")).toEqual(["free", "storage"]);
    expect(concepts("Besturingssysteem")).toEqual(["os"]);
    expect(concepts("Genutzter Speicher (GB)")).toEqual(["storage", "used"]);
  });

  it("keeps a path's namespace and a hypervisor's host apart from the asset", () => {
    expect(concepts("labels.app")).toEqual(["application"]);
    expect(concepts("VMHost")).toEqual(["hypervisor"]);
    expect(concepts("Host ESXi")).toEqual(["hypervisor"]);
  });

  it("bounds its work: a 5 MB header is read as its first characters", () => {
    const started = performance.now();
    readHeader(`Memory ${"x".repeat(5_000_000)}`);
    expect(performance.now() - started).toBeLessThan(200);
  });
});

describe("splitCompound", () => {
  it("splits by lexicon lookup, with a German linking s", () => {
    expect(splitCompound("festplattengrosse")).toEqual(["festplatten", "grosse"]);
    expect(splitCompound("memorymb")).toEqual(["memory", "mb"]);
    expect(splitCompound("template")).toBeUndefined();
  });
});
