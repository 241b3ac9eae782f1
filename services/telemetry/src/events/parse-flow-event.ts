import { FLOW_PHASES, TENANT_ID } from "@migrate/domain";

/** A flow event envelope (DESIGN.md section 4), validated. */
export interface FlowEvent {
  eventId: string;
  type: string;
  flowId: string;
  clientAccountId: string;
  engagementId: string | null;
  phase: string | null;
  progress: number | null;
  occurredAt: Date;
  payload: Record<string, unknown>;
}

export type ParseResult = { ok: true; event: FlowEvent } | { ok: false; reason: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INT32_MAX = 2_147_483_647;

/**
 * Decodes one message body. A failure names the first bad field (never its content, which may
 * carry inventory data) so the caller can log it and move on.
 */
export function parseFlowEvent(data: Uint8Array): ParseResult {
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(data));
  } catch {
    return { ok: false, reason: "body is not UTF-8 JSON" };
  }
  if (!isObject(body)) return { ok: false, reason: "body is not a JSON object" };

  const eventId = body.event_id;
  if (typeof eventId !== "string" || !UUID.test(eventId)) return { ok: false, reason: "event_id is not a UUID" };
  const clientAccountId = body.client_account_id;
  if (typeof clientAccountId !== "string" || !TENANT_ID.test(clientAccountId)) {
    return { ok: false, reason: "client_account_id is missing or invalid" };
  }
  const flowId = body.flow_id;
  if (!isShortText(flowId)) return { ok: false, reason: "flow_id is missing or invalid" };
  const type = body.type;
  if (!isShortText(type)) return { ok: false, reason: "type is missing or invalid" };

  const engagementId = body.engagement_id;
  if (
    engagementId != null &&
    engagementId !== "" &&
    !(typeof engagementId === "string" && TENANT_ID.test(engagementId))
  ) {
    return { ok: false, reason: "engagement_id is invalid" };
  }
  const phase = parsePhase(body.phase);
  if (phase === undefined) return { ok: false, reason: "phase is invalid" };

  const progress = body.progress;
  if (
    progress != null &&
    !(typeof progress === "number" && Number.isFinite(progress) && Math.abs(progress) <= INT32_MAX)
  ) {
    return { ok: false, reason: "progress is not a number" };
  }
  const occurredAt = typeof body.occurred_at === "string" ? new Date(body.occurred_at) : undefined;
  if (!occurredAt || Number.isNaN(occurredAt.getTime())) return { ok: false, reason: "occurred_at is not a timestamp" };

  const payload = body.payload ?? {};
  if (!isObject(payload)) return { ok: false, reason: "payload is not a JSON object" };

  return {
    ok: true,
    event: {
      eventId: eventId.toLowerCase(),
      type,
      flowId,
      clientAccountId,
      engagementId: typeof engagementId === "string" && engagementId ? engagementId : null,
      phase,
      progress: progress == null ? null : Math.round(progress as number),
      occurredAt,
      payload,
    },
  };
}

// Publishers send the phase name; the proto enum's number (1 = data_import) is accepted too.
function parsePhase(value: unknown): string | null | undefined {
  if (value == null || value === "") return null;
  if (typeof value === "string") return value.length <= 64 ? value : undefined;
  if (typeof value === "number" && Number.isInteger(value)) return value === 0 ? null : FLOW_PHASES[value - 1];
  return undefined;
}

function isShortText(value: unknown): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= 128;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
