import { describe, expect, it } from "vitest";
import { scoreColumn } from "./field-scoring.ts";
import { readHeader } from "./header-reader.ts";
import { profileValues } from "./value-profile.ts";

const best = (header: string, samples: string[]) => scoreColumn(readHeader(header), profileValues(samples))[0];
/** The best target that clears the mapping floor (0.5), if any. */
const mapped = (header: string, samples: string[]) => {
  const top = best(header, samples);
  return top && top.score >= 0.5 ? top.target : undefined;
};

describe("scoreColumn", () => {
  it("reads meaning, not spellings", () => {
    expect(best("Allocated Disk (GiB)", ["100", "200"])?.target).toBe("storage_gb");
    expect(best("Disk Consumed (GiB)", ["40", "80"])?.target).toBe("storage_used_gb");
    expect(best("Count of Physical Processors", ["1", "2"])?.target).toBe("cpu_sockets");
    expect(best("DB Engine Version", ["19.18.0.0.0", "8.0.34"])?.target).toBe("database_version");
    expect(best("Peak Memory %", ["60", "70"])?.target).toBe("memory_utilization_max");
  });

  it("lets the traps lose on their negating or foreign words", () => {
    expect(mapped("Free Disk Space (GB)", ["10", "20"])).toBeUndefined();
    expect(mapped("node_memory_MemAvailable_bytes", ["1000000000"])).toBeUndefined();
    expect(mapped("VMHost", ["esx01.corp.local", "esx02.corp.local"])).toBeUndefined();
    expect(mapped("system.cpu.idle:avg", ["90.1", "80.5"])).toBeUndefined();
    expect(mapped("Service State", ["Running", "Stopped"])).toBeUndefined();
  });

  it("says why: the words matched, the unit read and the values that decided", () => {
    const scored = best("Memory (MB)", ["16384", "8192"]);
    expect(scored?.reason).toMatch(/header says "memory"; unit mb; values: numbers 8192–16384/);
  });

  it("maps from the values alone when the header says nothing", () => {
    expect(best("col_a", ["10.0.0.1", "10.0.0.2", "10.0.0.3"])?.target).toBe("ip_addresses");
    expect(best("Ligado", ["sim", "não", "sim"])?.target).toBe("power_state");
  });

  it("reads a service-pack level and a monitor's in-between states as agreeing values", () => {
    const sp = best("SP", ["0", "1", "2", "1", "0"]);
    expect([sp?.target, sp?.values]).toEqual(["os_version", 0.8]);
    // A count of patches is no level: single digits only.
    expect(best("SP", ["0", "14", "27", "3", "40"])?.values).toBeLessThan(0.8);
    const status = best("status", ["Up", "Up", "Down", "Warning", "Up"]);
    expect([status?.target, status?.values]).toEqual(["power_state", 1]);
    // Health words without the power words that carry most rows say nothing of power.
    expect(best("status", ["OK", "Warning", "Warning", "Down", "OK"])?.values ?? 0).toBeLessThan(0.5);
  });
});
