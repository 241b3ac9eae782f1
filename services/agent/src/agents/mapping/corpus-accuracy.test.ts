import { describe, expect, it } from "vitest";
import { evaluateFile, type FileOutcome, loadCorpus, totals } from "../../../../../bench/mapping-corpus/evaluate.ts";

/**
 * The mapping corpus as a regression gate: accuracy floors and the review rule, on the files
 * the mapper was tuned on (dev) and on those it never was (held-out). The review rule has no
 * exceptions: no review on a file whose every column is right, none missed on a file with a
 * wrong column.
 */
const dev = loadCorpus("dev");
const heldOut = loadCorpus("held-out");
const run = (presets: boolean) => [...dev, ...heldOut].map((file) => evaluateFile(file, presets));
const on = run(true);
const off = run(false);
const part = (outcomes: FileOutcome[], split: string) => outcomes.filter((o) => o.split === split);
const describeMisses = (outcomes: FileOutcome[]) =>
  outcomes
    .flatMap((o) => o.columns.filter((c) => !c.right).map((c) => `${o.name}: ${c.source} → ${c.got} (${c.confidence})`))
    .join("\n");

describe("mapping corpus", () => {
  it("has the corpus the issue asks for", () => {
    expect(dev.length + heldOut.length).toBeGreaterThanOrEqual(40);
    expect(heldOut.length).toBeGreaterThanOrEqual(15);
    const sheets = [...dev, ...heldOut].filter((f) => f.expected.kind === "spreadsheet" && f.expected.lang !== "en");
    expect(sheets.length).toBeGreaterThanOrEqual(10);
    expect(new Set(sheets.map((f) => f.expected.lang)).size).toBeGreaterThanOrEqual(6);
    expect([...dev, ...heldOut].filter((f) => f.expected.kind === "monitoring").length).toBeGreaterThanOrEqual(5);
  });

  it("maps at least 97 % of held-out columns right, unaided", () => {
    const t = totals(part(on, "held-out"));
    expect(t.accuracy, describeMisses(part(on, "held-out"))).toBeGreaterThanOrEqual(0.97);
  });

  it("maps at least 95 % right with presets switched off, and 97 % of the dev part", () => {
    expect(totals(off).accuracy, describeMisses(off)).toBeGreaterThanOrEqual(0.95);
    expect(totals(part(on, "dev")).accuracy, describeMisses(part(on, "dev"))).toBeGreaterThanOrEqual(0.97);
  });

  it("asks for a review wherever a column is wrong, and not on files that are right", () => {
    for (const split of ["dev", "held-out"]) {
      const outcomes = part(on, split);
      const unreviewed = outcomes.filter((o) => o.right < o.scored && !o.reviewAsked).map((o) => o.name);
      expect(unreviewed, describeMisses(outcomes)).toEqual([]);
      const needless = outcomes.filter((o) => o.right === o.scored && o.reviewAsked);
      expect(needless.map((o) => `${o.name}: ${o.reviewReasons.join("; ")}`)).toEqual([]);
    }
  });

  it("reads every size column in the unit its values are in", () => {
    const t = totals(on);
    expect(t.unitsRight).toBe(t.unitsChecked);
  });

  it("keeps the five preset formats fully right", () => {
    for (const o of on.filter((x) => x.kind === "preset")) expect(o.right, o.name).toBe(o.scored);
  });
});
