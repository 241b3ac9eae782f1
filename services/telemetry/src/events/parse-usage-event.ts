import { TENANT_ID } from "@migrate/domain";

/** A usage event (docs/llm.md), validated. */
export interface ParsedUsageEvent {
  eventId: string;
  clientAccountId: string;
  engagementId: string | null;
  flowId: string;
  agent: string;
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  latencyMs: number;
  outcome: string;
  traceId: string | null;
  occurredAt: Date;
}

export type UsageParseResult = { ok: true; event: ParsedUsageEvent } | { ok: false; reason: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LABEL = /^[a-z0-9_-]{1,40}$/;
const TRACE_ID = /^[0-9a-f]{32}$/;
const INT32_MAX = 2_147_483_647;

/** Decodes one usage event; a failure names the first bad field, never its content. */
export function parseUsageEvent(data: Uint8Array): UsageParseResult {
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(data));
  } catch {
    return { ok: false, reason: "body is not UTF-8 JSON" };
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, reason: "body is not a JSON object" };
  }
  const e = body as Record<string, unknown>;
  if (typeof e.event_id !== "string" || !UUID.test(e.event_id)) return { ok: false, reason: "event_id is not a UUID" };
  if (typeof e.client_account_id !== "string" || !TENANT_ID.test(e.client_account_id)) {
    return { ok: false, reason: "client_account_id is missing or invalid" };
  }
  const engagementId = e.engagement_id ?? "";
  if (typeof engagementId !== "string" || (engagementId !== "" && !TENANT_ID.test(engagementId))) {
    return { ok: false, reason: "engagement_id is invalid" };
  }
  if (typeof e.flow_id !== "string" || e.flow_id.length > 128) return { ok: false, reason: "flow_id is invalid" };
  for (const field of ["agent", "provider", "outcome"] as const) {
    const value = e[field];
    if (typeof value !== "string" || !LABEL.test(value)) return { ok: false, reason: `${field} is invalid` };
  }
  if (typeof e.model !== "string" || e.model.length === 0 || e.model.length > 200) {
    return { ok: false, reason: "model is invalid" };
  }
  for (const field of ["input_tokens", "output_tokens", "latency_ms"] as const) {
    const value = e[field];
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > INT32_MAX) {
      return { ok: false, reason: `${field} is not a non-negative integer` };
    }
  }
  const traceId = e.trace_id ?? "";
  if (typeof traceId !== "string" || (traceId !== "" && !TRACE_ID.test(traceId))) {
    return { ok: false, reason: "trace_id is invalid" };
  }
  const occurredAt = typeof e.occurred_at === "string" ? new Date(e.occurred_at) : undefined;
  if (!occurredAt || Number.isNaN(occurredAt.getTime())) return { ok: false, reason: "occurred_at is not a timestamp" };
  return {
    ok: true,
    event: {
      eventId: e.event_id.toLowerCase(),
      clientAccountId: e.client_account_id,
      engagementId: engagementId || null,
      flowId: e.flow_id,
      agent: e.agent as string,
      provider: e.provider as string,
      model: e.model,
      inputTokens: e.input_tokens as number,
      outputTokens: e.output_tokens as number,
      latencyMs: e.latency_ms as number,
      outcome: e.outcome as string,
      traceId: traceId || null,
      occurredAt,
    },
  };
}
