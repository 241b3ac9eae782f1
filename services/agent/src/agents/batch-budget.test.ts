import { MeshError } from "@migrate/errors";
import { describe, expect, it } from "vitest";
import { BatchBudget, type RecordSteps, runToEnd, SLICE_MS } from "./batch-budget.ts";

/** A record loop whose every record costs `ms` of busy CPU; `rows` records, or for ever. */
function* busy(ms: number, rows = Number.POSITIVE_INFINITY): RecordSteps<number> {
  for (let row = 1; row <= rows; row++) {
    const until = performance.now() + ms;
    while (performance.now() < until) {}
    yield row;
  }
  return rows;
}

/** The longest the event loop went without running a 5 ms timer while `work` ran. */
async function longestStall(work: () => Promise<unknown>): Promise<{ stall: number; outcome: unknown }> {
  let last = performance.now();
  let stall = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stall = Math.max(stall, now - last);
    last = now;
  }, 5);
  try {
    const outcome = await work().catch((error: unknown) => error);
    stall = Math.max(stall, performance.now() - last);
    return { stall, outcome };
  } finally {
    clearInterval(timer);
  }
}

describe("a batch's record loop", () => {
  it("hands the event loop back every slice, so timers (health checks, SIGTERM) still run", async () => {
    const budget = new BatchBudget({ work: "validation", budgetMs: 60_000 });
    const { stall, outcome } = await longestStall(() => budget.run(busy(2, 750)));
    expect(outcome).toBe(750);
    // 1.5 s in one go without the slices; about SLICE_MS with them, plus whatever else the
    // machine was running meanwhile.
    expect(stall).toBeLessThan(SLICE_MS + 550);
    expect(budget.spentMs).toBeGreaterThanOrEqual(1_400);
  });

  it("stops with a final error naming the budget, the setting and the row once the budget is spent", async () => {
    const budget = new BatchBudget({ work: "cleansing of this batch", budgetMs: 200 });
    const started = performance.now();
    const error = await budget.run(busy(1)).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(error).toBeInstanceOf(MeshError);
    const mesh = error as MeshError;
    expect(mesh.code).toBe("PAYLOAD_TOO_LARGE");
    expect(mesh.message).toMatch(
      /^cleansing of this batch took longer than the agent's budget of 200 ms per call \(AGENT_BATCH_BUDGET_MS\) and stopped at row \d+;/,
    );
    expect(mesh.details).toMatchObject({ setting: "AGENT_BATCH_BUDGET_MS", limit: 200 });
    expect(Number(mesh.details.row)).toBeGreaterThan(10);
  });

  it("counts only time spent in its loops, not waits between them (an LLM's answer)", async () => {
    // Two loops of about 60 ms each fit a 400 ms budget with room for a loaded machine; the
    // 600 ms wait between them would not, were it counted.
    const budget = new BatchBudget({ work: "validation", budgetMs: 400 });
    await budget.run(busy(1, 60));
    await new Promise((resolve) => setTimeout(resolve, 600));
    await expect(budget.run(busy(1, 60))).resolves.toBe(60);
    // The budget is shared by the agents of one call: a third loop goes over it.
    await expect(budget.run(busy(1, 400))).rejects.toMatchObject({ code: "PAYLOAD_TOO_LARGE" });
  });

  it("stops when the caller has gone (cancelled or past its deadline)", async () => {
    const controller = new AbortController();
    const budget = new BatchBudget({ work: "strategy", budgetMs: 60_000, signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const started = performance.now();
    const error = (await budget.run(busy(1)).catch((e: unknown) => e)) as MeshError;
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(error.code).toBe("DEADLINE_EXCEEDED");
    expect(error.message).toMatch(/^strategy stopped at row \d+: the caller cancelled the call$/);
  });

  it("runs without pacing outside a call", () => {
    expect(runToEnd(busy(0, 5))).toBe(5);
  });
});
