import { describe, expect, it } from "vitest";
import { patternConfidence } from "./pattern-confidence.ts";

const c = (evidenceCount: number, approvals = 0, rejections = 0) =>
  patternConfidence({ evidenceCount, approvals, rejections });

describe("pattern confidence", () => {
  it("follows (positive + 4) / (positive + 2·rejections + 5)", () => {
    expect(c(1)).toBeCloseTo(5 / 6, 12);
    expect(c(2)).toBeCloseTo(6 / 7, 12);
    expect(c(1, 1)).toBeCloseTo(6 / 7, 12);
    expect(c(1, 0, 1)).toBeCloseTo(5 / 8, 12);
    expect(c(10)).toBeCloseTo(14 / 15, 12);
  });

  it("rises with every approval, falls with every rejection, and never leaves (0, 1)", () => {
    let previous = c(1);
    for (let approvals = 1; approvals < 1_000; approvals++) {
      const next = c(1, approvals);
      expect(next).toBeGreaterThan(previous);
      expect(next).toBeLessThan(1);
      previous = next;
    }
    previous = c(1);
    for (let rejections = 1; rejections < 1_000; rejections++) {
      const next = c(1, 0, rejections);
      expect(next).toBeLessThan(previous);
      expect(next).toBeGreaterThan(0);
      previous = next;
    }
  });

  it("drops a rejected pattern below the 0.8 review threshold until seven approvals restore it", () => {
    expect(c(1)).toBeGreaterThanOrEqual(0.8);
    expect(c(1, 0, 1)).toBeLessThan(0.8);
    expect(c(1, 6, 1)).toBeLessThan(0.8);
    expect(c(1, 7, 1)).toBeGreaterThanOrEqual(0.8);
  });
});
