import { randomUUID } from "node:crypto";
import type { UsageEvent } from "@migrate/events";
import type { TenantContext } from "@migrate/grpc";
import { context, trace } from "@opentelemetry/api";
import type { LlmMetrics } from "../providers/llm-metrics.ts";
import type { UsagePublisher } from "./usage-publisher.ts";

export interface UsageFacts {
  tenant: TenantContext;
  flowId: string;
  agent: string;
  model: string;
  outcome: string;
  inputTokens: number;
  outputTokens: number;
  latencyMs: number;
}

export interface UsageRecorder {
  /** One provider call: metrics now, a usage event queued for telemetry. */
  call(facts: UsageFacts): void;
  /** A refusal to call (budget exhausted): a usage event only, no request was made. */
  refusal(facts: UsageFacts): void;
}

/** Turns provider calls into metrics and usage events (docs/llm.md's event contract). */
export function createUsageRecorder(options: {
  provider: string;
  metrics: LlmMetrics;
  publisher?: UsagePublisher;
}): UsageRecorder {
  const { provider, metrics, publisher } = options;
  const publish = (facts: UsageFacts) => {
    if (!publisher) return;
    const active = context.active();
    const event: UsageEvent = {
      event_id: randomUUID(),
      client_account_id: facts.tenant.clientAccountId,
      engagement_id: facts.tenant.engagementId,
      flow_id: facts.flowId,
      agent: facts.agent,
      provider,
      model: facts.model,
      input_tokens: facts.inputTokens,
      output_tokens: facts.outputTokens,
      latency_ms: Math.round(facts.latencyMs),
      outcome: facts.outcome,
      trace_id: trace.getSpanContext(active)?.traceId ?? "",
      occurred_at: new Date().toISOString(),
    };
    publisher.publish(event, active);
  };
  return {
    call(facts) {
      metrics.recordCall(
        { provider, model: facts.model, outcome: facts.outcome, clientAccountId: facts.tenant.clientAccountId },
        facts.inputTokens,
        facts.outputTokens,
        facts.latencyMs / 1_000,
      );
      publish(facts);
    },
    refusal: publish,
  };
}
