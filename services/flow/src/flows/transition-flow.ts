import type { Kysely, Transaction } from "@migrate/db";
import { sql } from "@migrate/db";
import { MeshError } from "@migrate/errors";
import type { FlowEventNames } from "@migrate/events";
import type { TenantContext } from "@migrate/grpc";
import { captureTraceCarrier } from "@migrate/telemetry";
import type { FlowDatabase } from "../db/flow-database.ts";
import { flowEventOutboxRow } from "../events/flow-event.ts";
import { FLOW_COLUMNS, type FlowRow } from "./flow-row.ts";
import { lockFlow } from "./lock-flow.ts";

/** One lifecycle move: which statuses it starts from, where it goes, what it announces. */
export interface Transition {
  from: readonly string[];
  to: string;
  event: string;
  /** Why the current status does not allow it, e.g. "only a running or pending flow can be paused". */
  allowed: string;
  statusMessage: (user: string) => string;
  /** Further changes in the same transaction (retry resets the failed phase). */
  alsoDo?: (trx: Transaction<FlowDatabase>, flow: FlowRow) => Promise<Record<string, unknown>>;
}

/**
 * Applies `transition` to the caller's flow atomically with its event. Any lease is dropped:
 * an engine still working the flow finds its fence gone at its next batch and stops.
 */
export async function transitionFlow(
  db: Kysely<FlowDatabase>,
  names: FlowEventNames,
  tenant: TenantContext,
  flowId: string,
  transition: Transition,
): Promise<FlowRow> {
  return db.transaction().execute(async (trx) => {
    const flow = await lockFlow(trx, tenant, flowId);
    if (!transition.from.includes(flow.status)) {
      throw new MeshError("FAILED_PRECONDITION", `flow is ${flow.status}; ${transition.allowed}`, {
        field: "status",
        value: flow.status,
      });
    }
    const payload = (await transition.alsoDo?.(trx, flow)) ?? {};
    const updated = (await trx
      .updateTable("flows")
      .set({
        status: transition.to,
        status_message: transition.statusMessage(tenant.userId),
        lease_owner: null,
        lease_until: null,
        updated_at: sql`now()`,
        // The engine's next run of this flow joins the trace of the request that moved it.
        trace_carrier: JSON.stringify(captureTraceCarrier()),
      })
      .where("id", "=", flow.id)
      .returning(FLOW_COLUMNS)
      .executeTakeFirstOrThrow()) as FlowRow;
    await trx
      .insertInto("outbox")
      .values(
        flowEventOutboxRow(names, updated, transition.event, {
          previous_status: flow.status,
          by: tenant.userId,
          ...payload,
        }),
      )
      .execute();
    return updated;
  });
}
