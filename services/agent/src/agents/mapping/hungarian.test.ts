import { describe, expect, it } from "vitest";
import { assignMaxProfit } from "./hungarian.ts";

describe("assignMaxProfit", () => {
  it("finds the assignment with the largest total, not the greedy one", () => {
    // Greedy gives row 0 column 0 (0.9) and leaves row 1 with nothing; the optimum swaps.
    expect(
      assignMaxProfit(
        [
          [0.9, 0.8],
          [0.85, 0],
        ],
        2,
      ),
    ).toEqual([1, 0]);
  });

  it("leaves a row unassigned when every edge it has is worth nothing", () => {
    expect(
      assignMaxProfit(
        [
          [0.5, 0, 0],
          [0, 0, 0],
        ],
        3,
      ),
    ).toEqual([0, -1]);
  });

  it("copes with more rows than columns", () => {
    expect(assignMaxProfit([[0.2], [0.7], [0.1]], 1)).toEqual([-1, 0, -1]);
  });
});
