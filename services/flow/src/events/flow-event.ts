import { randomUUID } from "node:crypto";
import type { Insertable } from "@migrate/db";
import type { FlowEventEnvelope, FlowEventNames } from "@migrate/events";
import { captureTraceCarrier } from "@migrate/telemetry";
import type { OutboxTable } from "../db/flow-database.ts";
import type { FlowRow } from "../flows/flow-row.ts";

/**
 * The outbox row announcing `type` for `flow`, written in the same transaction as the change,
 * with the caller's trace context so the relay's publish continues the same trace.
 */
export function flowEventOutboxRow(
  names: FlowEventNames,
  flow: FlowRow,
  type: string,
  payload: Record<string, unknown>,
): Insertable<OutboxTable> {
  const envelope: FlowEventEnvelope = {
    event_id: randomUUID(),
    type,
    flow_id: flow.id,
    client_account_id: flow.client_account_id,
    engagement_id: flow.engagement_id ?? "",
    phase: flow.phase,
    progress: flow.progress,
    occurred_at: new Date().toISOString(),
    payload,
  };
  return {
    event_id: envelope.event_id,
    subject: names.subject(flow.client_account_id, flow.id, type),
    payload: JSON.stringify(envelope),
    trace_carrier: JSON.stringify(captureTraceCarrier()),
  };
}
