import { describe, expect, it } from "vitest";
import { profileValues, readNumber } from "./value-profile.ts";

describe("profileValues", () => {
  it("counts shapes and vocabularies in seven languages", () => {
    const env = profileValues(["Produktion", "Entwicklung", "producción", "Homologação", "Collaudo", "Acceptatie"]);
    expect(env.share.env).toBe(1);
    expect(profileValues(["eingeschaltet", "apagado", "desligado", "spento"]).share.power).toBe(1);
    expect(profileValues(["ja", "nee", "sí", "não"]).share.bool).toBe(1);
  });

  it("reads addresses in any list form, UUIDs, FQDNs and versions", () => {
    expect(profileValues(['["10.0.0.1","10.0.0.2"]', "10.0.0.3 | 10.0.0.4", "10.1.1.1/24"]).share.ip).toBe(1);
    expect(profileValues(["420c1c4e-8f6a-4b2d-9b1e-0a1b2c3d4e5f"]).share.uuid).toBe(1);
    // 32 bare hex digits are a key, not a VM UUID.
    expect(profileValues(["a1b2c3d4e5f60718293a4b5c6d7e8f90"]).share.uuid).toBeUndefined();
    expect(profileValues(["web01.corp.example.com"]).share.fqdn).toBe(1);
    expect(profileValues(["19.18.0.0.0", "15.0.4322.2"]).share.version).toBe(1);
  });

  it("reads numbers with decimal commas, thousands and units in cells", () => {
    expect(readNumber("16.384")).toBe(16.384);
    expect(readNumber("1.234.567")).toBe(1234567);
    expect(readNumber("0,49")).toBe(0.49);
    expect(readNumber("16,384")).toBe(16384);
    expect(readNumber("19.18.0.0.0")).toBeUndefined();
    expect(profileValues(["16 GB", "32 GB", "8 GB"])).toMatchObject({ cellUnit: "gb", numbers: { median: 16 } });
    expect(profileValues(["4 vCPU", "2x4"]).cellUnit).toBe("cores");
  });

  it("sees row numbers and fractions", () => {
    expect(profileValues(["1", "2", "3", "4", "5", "6"]).sequence).toBe(true);
    expect(profileValues(["0.25", "0.5", "0.125"]).share.fraction).toBe(1);
  });

  it("is bounded: 64 values at most, 256 characters of each", () => {
    const big = "7".repeat(5_000_000);
    const started = performance.now();
    const profile = profileValues(Array.from({ length: 10_000 }, () => big));
    expect(performance.now() - started).toBeLessThan(500);
    expect(profile.count).toBe(64);
  });
});
