import type { Kysely } from "@migrate/db";
import { MeshError } from "@migrate/errors";
import type { TelemetryService } from "@migrate/gen/telemetry/v1/telemetry_pb";
import type { ServiceImpl } from "@migrate/grpc";
import type { TelemetryDatabase } from "../db/telemetry-database.ts";
import { budgetHandlers } from "./budget-handlers.ts";
import { pricingHandlers } from "./pricing-handlers.ts";
import { usageHandlers } from "./usage-handlers.ts";

// What a flow id can look like; anything else (a NUL byte would fail the query) is simply unknown.
const FLOW_ID = /^[A-Za-z0-9_-]{1,64}$/;
// A flow emits a few events per phase plus progress ticks; this bounds a pathological one.
const MAX_TIMELINE_ENTRIES = 10_000;

/** The `TelemetryService` handlers; every query is scoped by the caller's client account. */
export function telemetryServiceImpl(db: Kysely<TelemetryDatabase>): ServiceImpl<typeof TelemetryService.method> {
  return {
    ...usageHandlers(db),
    ...budgetHandlers(db),
    ...pricingHandlers(db),
    async getFlowTimeline(request, ctx) {
      const flowId = request.flowId.trim();
      if (!flowId) throw new MeshError("INVALID_ARGUMENT", "flow_id is required", { field: "flow_id" });
      const rows = !FLOW_ID.test(flowId)
        ? []
        : await db
            .selectFrom("flow_events_inbox")
            .select(["event_id", "type", "phase", "progress", "occurred_at", "received_at", "payload"])
            .where("client_account_id", "=", ctx.tenant.clientAccountId)
            .where("flow_id", "=", flowId)
            .orderBy("occurred_at")
            .orderBy("stream_sequence")
            .limit(MAX_TIMELINE_ENTRIES)
            .execute();
      // Another tenant's flow and an unknown flow answer the same, so ids cannot be probed.
      if (rows.length === 0) throw new MeshError("NOT_FOUND", "no events for this flow", { field: "flow_id" });
      return {
        flowId,
        entries: rows.map((row) => ({
          eventId: row.event_id,
          type: row.type,
          phase: row.phase ?? "",
          progress: row.progress ?? 0,
          occurredAt: row.occurred_at.toISOString(),
          receivedAt: row.received_at.toISOString(),
          payloadJson: JSON.stringify(row.payload),
        })),
      };
    },
  };
}
