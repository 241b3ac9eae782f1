import { Counter, Gauge, Histogram, type Registry } from "@migrate/metrics";
import type { CircuitState } from "./circuit-breaker.ts";

/** Label values of one provider call; `clientAccountId` is used only with tenant labels on. */
export interface LlmCallLabels {
  provider: string;
  model: string;
  outcome: string;
  clientAccountId: string;
}

export interface LlmMetrics {
  /** One provider call (attempt): requests, tokens and latency. */
  recordCall(labels: LlmCallLabels, inputTokens: number, outputTokens: number, seconds: number): void;
  fallback(agent: string, reason: string): void;
  circuitState(provider: string, state: CircuitState): void;
  usageDropped(): void;
  usageQueued(size: number): void;
}

const CIRCUIT_VALUE: Record<CircuitState, number> = { closed: 0, half_open: 1, open: 2 };

/**
 * The agent's LLM series. Labels stay bounded: provider and model come from configuration,
 * outcome and reason from closed sets; the tenant label only when METRICS_TENANT_LABELS=true.
 * Cost is not here: prices live in telemetry, which exports llm_cost_dollars_total.
 */
export function createLlmMetrics(registry: Registry, options: { tenantLabels: boolean }): LlmMetrics {
  const tenant = options.tenantLabels ? ["client_account_id"] : [];
  const requests = new Counter({
    name: "llm_requests_total",
    help: "LLM provider calls (each attempt), by outcome: success, an error type or a rejected answer",
    labelNames: ["provider", "model", "outcome", ...tenant],
    registers: [registry],
  });
  const tokens = new Counter({
    name: "llm_tokens_total",
    help: "Tokens the LLM providers reported, by type (input or output)",
    labelNames: ["type", "provider", "model", ...tenant],
    registers: [registry],
  });
  const duration = new Histogram({
    name: "llm_request_duration_seconds",
    help: "Latency of LLM provider calls (each attempt)",
    labelNames: ["provider", "model"],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const fallbacks = new Counter({
    name: "llm_fallbacks_total",
    help: "Agent answers that kept the heuristic result instead of the LLM's, by reason",
    labelNames: ["agent", "reason"],
    registers: [registry],
  });
  const circuit = new Gauge({
    name: "llm_circuit_state",
    help: "Circuit breaker state per provider: 0 closed, 1 half-open, 2 open",
    labelNames: ["provider"],
    registers: [registry],
  });
  const dropped = new Counter({
    name: "llm_usage_events_dropped_total",
    help: "Usage events dropped because the in-memory publish queue was full",
    registers: [registry],
  });
  const queued = new Gauge({
    name: "llm_usage_events_queued",
    help: "Usage events waiting to be published to NATS",
    registers: [registry],
  });
  dropped.inc(0);

  return {
    recordCall(labels, inputTokens, outputTokens, seconds) {
      const base = { provider: labels.provider, model: labels.model };
      const withTenant = <T extends object>(value: T) =>
        options.tenantLabels ? { ...value, client_account_id: labels.clientAccountId } : value;
      requests.inc(withTenant({ ...base, outcome: labels.outcome }));
      tokens.inc(withTenant({ ...base, type: "input" }), inputTokens);
      tokens.inc(withTenant({ ...base, type: "output" }), outputTokens);
      duration.observe(base, seconds);
    },
    fallback: (agent, reason) => fallbacks.inc({ agent, reason }),
    circuitState: (provider, state) => circuit.set({ provider }, CIRCUIT_VALUE[state]),
    usageDropped: () => dropped.inc(),
    usageQueued: (size) => queued.set(size),
  };
}
