import { describe, expect, it } from "vitest";
import { type EvidenceRow, rankTargets } from "./recommend-targets.ts";

const row = (id: string, target: string, similarity: number, exact = false, confidence = 5 / 6): EvidenceRow => ({
  pattern_id: id,
  source_text: id,
  target,
  confidence,
  evidence_count: 1,
  engagement_id: null,
  similarity,
  exact,
});

describe("rankTargets", () => {
  it("ranks an exact match by its confidence and a near one by confidence × similarity²", () => {
    const ranked = rankTargets([row("a", "hostname", 0.8), row("b", "asset_name", 1, true)], 3, 0.25);
    expect(ranked.map((r) => r.target)).toEqual(["asset_name", "hostname"]);
    expect(ranked[0]?.confidence).toBeCloseTo(5 / 6, 12);
    expect(ranked[1]?.confidence).toBeCloseTo((5 / 6) * 0.64, 12);
  });

  it("lets a near match win over an exact pattern people kept rejecting", () => {
    const ranked = rankTargets([row("a", "asset_name", 1, true, 0.3), row("b", "hostname", 0.9)], 3, 0.25);
    expect(ranked[0]?.target).toBe("hostname");
  });

  it("counts a pattern once (the exact row wins), keeps a target's strongest evidence first, drops weak ones", () => {
    const ranked = rankTargets(
      [row("a", "hostname", 0.7), row("a", "hostname", 1, true), row("c", "hostname", 0.9), row("d", "fqdn", 0.2)],
      3,
      0.25,
    );
    expect(ranked).toHaveLength(1);
    expect(ranked[0]?.evidence.map((e) => [e.pattern_id, e.exact])).toEqual([
      ["a", true],
      ["c", false],
    ]);
  });

  it("returns at most top_k targets", () => {
    const evidence = ["a", "b", "c", "d"].map((id, i) => row(id, `t${i}`, 0.9 - i / 10));
    expect(rankTargets(evidence, 2, 0.25).map((r) => r.target)).toEqual(["t0", "t1"]);
  });
});
