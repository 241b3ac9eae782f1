import { describe, expect, it } from "vitest";
import { abbreviationKey, BUILTIN_EMBEDDER_MODEL, builtinEmbedder, embedBuiltin } from "./builtin-embedder.ts";

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, value, i) => sum + value * (b[i] as number), 0);
const similarity = (a: string, b: string) => cosine(embedBuiltin({ text: a }), embedBuiltin({ text: b }));

describe("built-in embedder", () => {
  it("gives the same 256-dimensional unit vector for the same input, every time", async () => {
    const vector = embedBuiltin({ text: "Memory (In MB)", format: "azure_migrate", valueShape: "integer" });
    expect(vector).toHaveLength(256);
    expect(cosine(vector, vector)).toBeCloseTo(1, 5);
    expect(
      Array.from(embedBuiltin({ text: "Memory (In MB)", format: "azure_migrate", valueShape: "integer" })),
    ).toEqual(Array.from(vector));
    const batch = await builtinEmbedder().embed([{ text: "a" }, { text: "b" }]);
    expect(batch.model).toBe(BUILTIN_EMBEDDER_MODEL);
    expect(batch.vectors).toHaveLength(2);
  });

  it("puts respellings and abbreviations of a header closer than unrelated headers", () => {
    expect(similarity("Server_Name", "server-name")).toBeCloseTo(1, 5);
    expect(similarity("srv_nm", "srv_name")).toBeGreaterThan(0.5);
    expect(similarity("srv_nm", "Server Name")).toBeGreaterThan(0.25);
    expect(similarity("Mem MB", "Memory (In MB)")).toBeGreaterThan(0.4);
    for (const [a, b] of [
      ["srv_nm", "ip_address"],
      ["Cores", "Owner Email"],
      ["Memory (In MB)", "Datacenter"],
    ]) {
      expect(Math.abs(similarity(a as string, b as string))).toBeLessThan(0.2);
    }
  });

  it("lets context nudge, not decide: the same header in two formats stays nearly identical", () => {
    const a = embedBuiltin({ text: "Host", format: "rvtools_vinfo", valueShape: "dns_name" });
    const b = embedBuiltin({ text: "Host", format: "servicenow_cmdb_ci_server" });
    expect(cosine(a, b)).toBeGreaterThan(0.9);
    const unrelated = cosine(embedBuiltin({ text: "Cluster", format: "rvtools_vinfo" }), a);
    expect(unrelated).toBeLessThan(0.1);
  });

  it("keys abbreviations by first letter and following consonants", () => {
    expect(["server", "srv"].map(abbreviationKey)).toEqual(["srv", "srv"]);
    expect(["cluster", "clstr"].map(abbreviationKey)).toEqual(["cls", "cls"]);
    expect(abbreviationKey("2")).toBe("2");
  });
});
