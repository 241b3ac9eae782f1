import type { Kysely } from "@migrate/db";
import { sql } from "@migrate/db";
import { MeshError } from "@migrate/errors";
import type { FlowEventNames } from "@migrate/events";
import type { TenantContext } from "@migrate/grpc";
import { captureTraceCarrier } from "@migrate/telemetry";
import type { FlowDatabase } from "../db/flow-database.ts";
import type { AppliedCorrection } from "../engine/learning-feedback.ts";
import { applyCorrections, type Correction } from "../engine/mapping-corrections.ts";
import { flowEventOutboxRow } from "../events/flow-event.ts";
import { phaseBase } from "../phases/index.ts";
import { loadMappings, type StoredMapping } from "../phases/stored-mappings.ts";
import { FLOW_COLUMNS, type FlowRow } from "./flow-row.ts";
import { lockFlow } from "./lock-flow.ts";

/**
 * Approves a waiting flow's mappings with the caller's corrections, completes its field_mapping
 * phase and sets it running again, all in one transaction with its events. Corrections make the
 * validation's issues and quality scores stale (they were judged against the suggestions), so
 * data_validation runs again, against the approved mappings, before cleansing.
 */
export async function approveMappings(
  db: Kysely<FlowDatabase>,
  names: FlowEventNames,
  tenant: TenantContext,
  flowId: string,
  corrections: readonly Correction[],
): Promise<{ flow: FlowRow; mappings: StoredMapping[]; applied: AppliedCorrection[] }> {
  return db.transaction().execute(async (trx) => {
    const flow = await lockFlow(trx, tenant, flowId);
    if (flow.status !== "awaiting_input") {
      throw new MeshError(
        "FAILED_PRECONDITION",
        `flow is ${flow.status}; mappings can only be approved while the flow is awaiting_input`,
        { field: "status", value: flow.status },
      );
    }
    const stored = await loadMappings(trx, flow.id);
    const { mappings, applied } = applyCorrections(stored, corrections, { columns: flow.columns, user: tenant.userId });
    await trx.deleteFrom("field_mappings").where("flow_id", "=", flow.id).execute();
    if (mappings.length) {
      await trx
        .insertInto("field_mappings")
        .values(
          mappings.map((m) => ({
            flow_id: flow.id,
            position: m.position,
            source: m.source,
            target: m.target,
            confidence: m.confidence,
            reason: m.reason,
            unit: m.unit,
            alternatives: JSON.stringify(m.alternatives),
            state: m.state,
            // A column given a target of its own duplicates no other.
            sibling: m.target ? "" : (m.sibling ?? ""),
          })),
        )
        .execute();
    }
    await trx
      .updateTable("flow_phases")
      .set({
        status: "completed",
        progress: 100,
        processed: mappings.length,
        total: mappings.length,
        error: "",
        started_at: sql`coalesce(started_at, now())`,
        completed_at: sql`now()`,
      })
      .where("flow_id", "=", flow.id)
      .where("phase", "=", "field_mapping")
      .execute();
    const revalidate = applied.length > 0;
    if (revalidate) {
      await trx
        .updateTable("flow_phases")
        .set({ status: "pending", progress: 0, processed: 0, checkpoint: "{}", error: "", completed_at: null })
        .where("flow_id", "=", flow.id)
        .where("phase", "=", "data_validation")
        .execute();
    }
    const updated = (await trx
      .updateTable("flows")
      .set({
        status: "running",
        status_message: "",
        phase: revalidate ? "data_validation" : "field_mapping",
        progress: phaseBase(revalidate ? "data_validation" : "data_cleansing"),
        lease_owner: null,
        lease_until: null,
        updated_at: sql`now()`,
        // The engine's next run of this flow joins the trace of the approval.
        trace_carrier: JSON.stringify(captureTraceCarrier()),
      })
      .where("id", "=", flow.id)
      .returning(FLOW_COLUMNS)
      .executeTakeFirstOrThrow()) as FlowRow;
    const approved = {
      approved_by: tenant.userId,
      mapping_count: mappings.length,
      revalidate,
      corrections: applied.map((c) => ({ source: c.source, target: c.correctedTarget ?? "" })),
    };
    await trx
      .insertInto("outbox")
      .values([
        flowEventOutboxRow(names, updated, "mappings.approved", approved),
        flowEventOutboxRow(names, updated, "phase.completed", {
          phase: "field_mapping",
          status: "completed",
          counts: { mappings: mappings.length, corrected: applied.length },
        }),
      ])
      .execute();
    return { flow: updated, mappings, applied };
  });
}
