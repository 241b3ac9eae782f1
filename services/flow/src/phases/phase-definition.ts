import type { FlowPhaseName } from "@migrate/domain";
import type { PhaseContext } from "../engine/phase-context.ts";

/** How a phase ended this run. */
export type PhaseOutcome =
  | { status: "completed"; counts?: Record<string, number> }
  | { status: "skipped"; reason: string }
  | { status: "awaiting_input"; message: string; reasons: string[] };

export interface PhaseDefinition {
  name: FlowPhaseName;
  /** Its share of the flow's 0..100 progress; the weights add up to 100. */
  weight: number;
  run(ctx: PhaseContext): Promise<PhaseOutcome>;
}
