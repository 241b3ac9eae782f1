/**
 * Ends a flow's run without failing the flow: `stopping` (this process shuts down; the lease is
 * released so another replica resumes at once) or `lease_lost` (paused, cancelled or taken over
 * elsewhere: nothing of the current batch is kept, and nothing is written).
 */
export class FlowInterrupted extends Error {
  readonly reason: "stopping" | "lease_lost";

  constructor(reason: "stopping" | "lease_lost") {
    super(reason === "stopping" ? "the engine is stopping" : "the flow is no longer leased to this engine");
    this.name = "FlowInterrupted";
    this.reason = reason;
  }
}
