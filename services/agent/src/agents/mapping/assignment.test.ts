import { describe, expect, it } from "vitest";
import { suggestMappings } from "../field-mapping.ts";

const map = (columns: Array<[string, string[]]>) =>
  suggestMappings(columns.map(([source, samples]) => ({ source, samples }))).suggestions;

describe("the global assignment", () => {
  it("gives a single-valued target to one column and names the other its sibling", () => {
    const [mb, gb] = map([
      ["MemoryMB", ["16384", "8192", "4096"]],
      ["MemoryGB", ["16", "8", "4"]],
    ]);
    expect([mb?.target, gb?.target].filter(Boolean)).toEqual(["memory_gb"]);
    const sibling = [mb, gb].find((s) => s?.target === null);
    expect(sibling?.sibling).toMatch(/^Memory[MG]B$/);
    expect(sibling?.reason).toMatch(/duplicates/);
  });

  it("lets a numbered series share a target that sums", () => {
    const disks = map([
      ["Disk 1 size (In GB)", ["100", "200", "50"]],
      ["Disk 2 size (In GB)", ["50", "20", "10"]],
    ]);
    expect(disks.map((s) => s.target)).toEqual(["storage_gb", "storage_gb"]);
  });

  it("takes the best total, not the greedy first pick", () => {
    // Sockets and cores: "Number of Processors" reads as either, "Number of Cores" only as cores.
    const [processors, cores] = map([
      ["Number of Processors", ["1", "2", "2"]],
      ["Number of Cores", ["4", "8", "16"]],
    ]);
    expect([processors?.target, cores?.target]).toEqual(["cpu_sockets", "cpu_cores"]);
  });

  it("decides the unit per column, from the header or the values", () => {
    const [bytes, plain] = map([
      ["system.mem.total", ["17179869184", "8589934592", "34359738368"]],
      ["Disk", ["100", "200", "500"]],
    ]);
    expect(bytes).toMatchObject({ target: "memory_gb", unit: "b" });
    expect(plain).toMatchObject({ target: "storage_gb", unit: "gb" });
  });
});
