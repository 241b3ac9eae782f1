import { randomUUID } from "node:crypto";
import type { Insertable, Kysely } from "@migrate/db";
import type { FlowEventNames } from "@migrate/events";
import type { TenantContext } from "@migrate/grpc";
import type { FlowDatabase, RawRecordsTable } from "../db/flow-database.ts";
import { flowEventOutboxRow } from "../events/flow-event.ts";
import type { Inventory } from "../ingest/open-inventory.ts";
import { FLOW_COLUMNS, type FlowRow } from "./flow-row.ts";

// 1,000 rows × 3 parameters stays far below PostgreSQL's 65,535 bind parameters.
const BATCH_ROWS = 1_000;

/**
 * Stores a new flow with every record of its inventory and its `flow.created` event in ONE
 * transaction: a bad row anywhere in the file, or a dropped upload, leaves nothing behind.
 */
export async function createFlow(
  db: Kysely<FlowDatabase>,
  names: FlowEventNames,
  input: { tenant: TenantContext; name: string; filename: string; inventory: Inventory },
): Promise<FlowRow> {
  const { tenant, inventory } = input;
  const id = randomUUID();
  return db.transaction().execute(async (trx) => {
    await trx
      .insertInto("flows")
      .values({
        id,
        client_account_id: tenant.clientAccountId,
        engagement_id: tenant.engagementId || null,
        name: input.name,
        status: "pending",
        phase: "data_import",
        progress: 0,
        source_format: inventory.format,
        source_filename: input.filename,
        columns: "[]",
        created_by: tenant.userId,
      })
      .execute();
    let count = 0;
    let batch: Insertable<RawRecordsTable>[] = [];
    for await (const record of inventory.records) {
      batch.push({ flow_id: id, row_number: record.rowNumber, data: record.data });
      count++;
      if (batch.length === BATCH_ROWS) {
        await trx.insertInto("raw_records").values(batch).execute();
        batch = [];
      }
    }
    if (batch.length) await trx.insertInto("raw_records").values(batch).execute();
    const flow = (await trx
      .updateTable("flows")
      .set({ raw_record_count: count, columns: JSON.stringify(inventory.columns) })
      .where("id", "=", id)
      .returning(FLOW_COLUMNS)
      .executeTakeFirstOrThrow()) as FlowRow;
    await trx
      .insertInto("outbox")
      .values(
        flowEventOutboxRow(names, flow, "flow.created", {
          name: flow.name,
          raw_record_count: flow.raw_record_count,
          source_format: flow.source_format,
          columns: flow.columns,
        }),
      )
      .execute();
    return flow;
  });
}
