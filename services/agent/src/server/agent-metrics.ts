import { Counter, Histogram, type Registry } from "@migrate/metrics";

export interface AgentMetrics {
  /** One agent call: its outcome (succeeded or failed) and how long it took. */
  execution(agent: string, outcome: "succeeded" | "failed", seconds: number, clientAccountId: string): void;
}

/** agent_executions_total and agent_execution_duration_seconds (the seed's catalogue). */
export function createAgentMetrics(registry: Registry, options: { tenantLabels: boolean }): AgentMetrics {
  const executions = new Counter({
    name: "agent_executions_total",
    help: "Agent calls, by agent and outcome (succeeded or failed)",
    labelNames: ["agent", "outcome", ...(options.tenantLabels ? ["client_account_id"] : [])],
    registers: [registry],
  });
  const duration = new Histogram({
    name: "agent_execution_duration_seconds",
    help: "Duration of agent calls, LLM refinement included",
    labelNames: ["agent"],
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  return {
    execution(agent, outcome, seconds, clientAccountId) {
      executions.inc(
        options.tenantLabels ? { agent, outcome, client_account_id: clientAccountId } : { agent, outcome },
      );
      duration.observe({ agent }, seconds);
    },
  };
}
