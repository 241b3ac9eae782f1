import { describe, expect, it } from "vitest";
import { applicationStrategy, type MemberStrategy, planMigration } from "./migration-planning.ts";
import { MAX_APPLICATIONS_PER_WAVE } from "./wave-planning.ts";

const member = (strategy: string, criticality = "", confidence = 0.8, missingData: string[] = []): MemberStrategy => ({
  strategy,
  criticality,
  confidence,
  missingData,
});

describe("application strategy roll-up", () => {
  it("takes the criticality-weighted majority and names the counts", () => {
    const result = applicationStrategy({
      key: "billing",
      name: "Billing",
      members: [
        member("rehost", "low"),
        member("rehost", "low"),
        member("replatform", "critical", 0.75, ["environment"]),
      ],
    });
    expect(result.strategy).toBe("replatform");
    expect(result.rationale).toBe(
      "Replatform for 1 of 3 asset(s) (criticality-weighted 4 of 6); the others: 2 rehost.",
    );
    expect(result.missingData).toEqual(["environment"]);
    // 0.75 × (0.5 + 0.5 × 4/6)
    expect(result.confidence).toBe(0.63);
  });

  it("is a plain majority when no criticality is known, and is certain when all agree", () => {
    const result = applicationStrategy({
      key: "a",
      name: "A",
      members: [member("retire"), member("retire"), member("rehost")],
    });
    expect(result).toMatchObject({
      strategy: "retire",
      rationale: "Retire for 2 of 3 asset(s); the others: 1 rehost.",
    });
    expect(applicationStrategy({ key: "b", name: "B", members: [member("rehost")] }).confidence).toBe(0.8);
  });

  it("says so when an application has no asset strategies", () => {
    expect(applicationStrategy({ key: "c", name: "C", members: [] })).toMatchObject({
      strategy: "rehost",
      confidence: 0.2,
      missingData: ["asset_strategies"],
    });
  });
});

describe("wave planning", () => {
  const app = (key: string, strategy: string) => ({ key, name: key, members: [member(strategy)] });

  it("moves dependencies first, collapses cycles into one wave, retires in wave 1, leaves retained out", () => {
    const { waves } = planMigration(
      [app("web", "rehost"), app("api", "rehost"), app("db", "replatform"), app("old", "retire"), app("mf", "retain")],
      [
        { sourceKey: "web", targetKey: "api" },
        { sourceKey: "api", targetKey: "db" },
        { sourceKey: "db", targetKey: "api" },
        { sourceKey: "api", targetKey: "mf" },
      ],
    );
    expect(waves.map((w) => [w.number, w.applicationKeys])).toEqual([[1, ["old", "api", "db", "web"]]]);
    expect(waves[0]?.rationale).toContain("1 dependency cycle(s) kept whole");
    expect(waves[0]?.rationale).toContain("1 application(s) to retire");
  });

  it("never puts an application before one it depends on, and caps waves at 25 moving applications", () => {
    // A chain of 3 layers × 20 applications: each layer-n app depends on one layer-(n-1) app.
    const apps = Array.from({ length: 60 }, (_, i) => app(`app-${String(i).padStart(2, "0")}`, "rehost"));
    const edges = apps.slice(20).map((a, i) => ({ sourceKey: a.key, targetKey: apps[i]?.key ?? "" }));
    const { waves } = planMigration([...apps, app("gone", "retire")], edges);
    const waveOf = new Map(waves.flatMap((w) => w.applicationKeys.map((k) => [k, w.number] as const)));
    expect(waveOf.size).toBe(61);
    expect(waveOf.get("gone")).toBe(1);
    for (const e of edges) expect(waveOf.get(e.targetKey)!).toBeLessThanOrEqual(waveOf.get(e.sourceKey)!);
    for (const w of waves) {
      expect(w.applicationKeys.filter((k) => k !== "gone").length).toBeLessThanOrEqual(MAX_APPLICATIONS_PER_WAVE);
      expect(w.rationale).toMatch(new RegExp(`^Wave ${w.number}: `));
    }
    expect(waves.length).toBe(3);
  });

  it("plans 10,000 applications in a long dependency chain without blowing the stack", () => {
    const apps = Array.from({ length: 10_000 }, (_, i) => app(`a${i}`, "rehost"));
    const edges = apps.slice(1).map((a, i) => ({ sourceKey: a.key, targetKey: `a${i}` }));
    const { waves } = planMigration(apps, edges);
    expect(waves.reduce((n, w) => n + w.applicationKeys.length, 0)).toBe(10_000);
    expect(waves[0]?.applicationKeys[0]).toBe("a0");
  });
});
