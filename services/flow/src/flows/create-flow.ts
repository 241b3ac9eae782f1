import { randomUUID } from "node:crypto";
import { type Kysely, sql, type Transaction } from "@migrate/db";
import { FLOW_PHASES } from "@migrate/domain";
import type { FlowEventNames } from "@migrate/events";
import type { TenantContext } from "@migrate/grpc";
import { captureTraceCarrier } from "@migrate/telemetry";
import type { FlowDatabase } from "../db/flow-database.ts";
import { flowEventOutboxRow } from "../events/flow-event.ts";
import { parseConnections } from "../ingest/connections-csv.ts";
import type { Inventory } from "../ingest/open-inventory.ts";
import type { UploadLimits } from "../ingest/upload-limits.ts";
import { FLOW_COLUMNS, type FlowRow } from "./flow-row.ts";

// Rows per insert statement. Each statement sends its rows as ONE JSON parameter that
// PostgreSQL unpacks (jsonb_to_recordset): no per-value bind parameters to build or count.
const BATCH_ROWS = 2_000;

/**
 * Stores a new flow with every record of its inventory, its connections (if any), its pending
 * phases and its `flow.created` event in ONE transaction: a bad row anywhere in either file, or
 * a dropped upload, leaves nothing behind.
 */
export async function createFlow(
  db: Kysely<FlowDatabase>,
  names: FlowEventNames,
  input: {
    tenant: TenantContext;
    name: string;
    filename: string;
    inventory: Inventory;
    /** The whole connections file once the inventory is read; undefined when none was sent. */
    connections?: () => Promise<Buffer | undefined>;
    /** Bounds of the connections file's columns, cells and rows (the inventory's were set when it was opened). */
    uploadLimits?: UploadLimits;
  },
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
        trace_carrier: JSON.stringify(captureTraceCarrier()),
      })
      .execute();
    let count = 0;
    // Each record is already JSON object text: spliced in as is, parsed once, by PostgreSQL.
    let batch: string[] = [];
    const statements = oneAtATime();
    const insertBatch = () => {
      const rows = `[${batch.join(",")}]`;
      return statements.add(() =>
        sql`insert into raw_records (flow_id, row_number, data)
          select ${id}, r.row_number, r.data
          from jsonb_to_recordset(${rows}::jsonb) as r(row_number integer, data jsonb)`.execute(trx),
      );
    };
    for await (const record of inventory.records) {
      batch.push(`{"row_number":${record.rowNumber},"data":${record.data}}`);
      count++;
      if (batch.length === BATCH_ROWS) {
        await insertBatch();
        batch = [];
      }
    }
    if (batch.length) await insertBatch();
    await statements.done();
    const connectionCount = await storeConnections(trx, id, await input.connections?.(), input.uploadLimits);
    await trx
      .insertInto("flow_phases")
      .values(FLOW_PHASES.map((phase) => ({ flow_id: id, phase })))
      .execute();
    const flow = (await trx
      .updateTable("flows")
      .set({ raw_record_count: count, columns: JSON.stringify(inventory.columns), connection_count: connectionCount })
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
          connection_count: flow.connection_count,
        }),
      )
      .execute();
    return flow;
  });
}

/**
 * Runs statements one after another without waiting for each: the next batch is read and built
 * while PostgreSQL stores this one. A failed statement fails the next `add` or `done`.
 */
function oneAtATime() {
  let last: Promise<unknown> = Promise.resolve();
  return {
    async add(run: () => Promise<unknown>): Promise<void> {
      await last;
      last = run();
      // Awaited by the next add or by done; until then it must not count as unhandled.
      last.catch(() => {});
    },
    async done(): Promise<void> {
      await last;
    },
  };
}

async function storeConnections(
  trx: Transaction<FlowDatabase>,
  flowId: string,
  bytes: Buffer | undefined,
  limits: UploadLimits | undefined,
) {
  if (!bytes) return 0;
  const connections = await parseConnections(bytes, limits);
  const statements = oneAtATime();
  for (let at = 0; at < connections.length; at += BATCH_ROWS) {
    const rows = JSON.stringify(connections.slice(at, at + BATCH_ROWS));
    await statements.add(() =>
      sql`insert into connections_raw (flow_id, row_number, source, destination, port, protocol)
        select ${flowId}, c."rowNumber", c.source, c.destination, c.port, c.protocol
        from jsonb_to_recordset(${rows}::jsonb)
          as c("rowNumber" integer, source text, destination text, port integer, protocol text)`.execute(trx),
    );
  }
  await statements.done();
  return connections.length;
}
