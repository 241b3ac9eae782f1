/**
 * One LLM provider call as the agent service reports it (docs/llm.md): published to the usage
 * stream with `msgID = event_id`, consumed exactly once by telemetry.
 */
export interface UsageEvent {
  event_id: string;
  client_account_id: string;
  engagement_id: string;
  flow_id: string;
  agent: string;
  /** openai, anthropic, deepinfra...: the label prices are kept under. */
  provider: string;
  /** The configured model name, which pricing rows are keyed by. */
  model: string;
  input_tokens: number;
  output_tokens: number;
  latency_ms: number;
  /** success, an error type (timeout, rate_limited...), a fallback (invalid_json...) or budget_exhausted. */
  outcome: string;
  trace_id: string;
  occurred_at: string;
}

/** Where usage events live: their own JetStream stream, apart from flow events. */
export interface UsageEventNames {
  stream: string;
  /** The wildcard the stream captures, e.g. `migrate.usage.v1.>`. */
  subjects: string;
  /** `<prefix>.<client_account_id>.<flow_id>`. */
  subject(clientAccountId: string, flowId: string): string;
}

/** Production uses `LLM_USAGE` and `migrate.usage.v1`; tests pass their own so runs never mix. */
export function usageEventNames(options: { stream?: string; subjectPrefix?: string } = {}): UsageEventNames {
  const stream = options.stream || "LLM_USAGE";
  const prefix = options.subjectPrefix || "migrate.usage.v1";
  return {
    stream,
    subjects: `${prefix}.>`,
    subject: (clientAccountId, flowId) => `${prefix}.${token(clientAccountId)}.${token(flowId || "none")}`,
  };
}

// Subject tokens cannot hold spaces, dots or wildcards.
function token(value: string): string {
  return value.replace(/[\s.*>]/g, "_");
}
