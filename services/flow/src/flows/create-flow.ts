import { randomUUID } from "node:crypto";
import { type Kysely, sql, type Transaction } from "@migrate/db";
import { FLOW_PHASES } from "@migrate/domain";
import type { FlowEventNames } from "@migrate/events";
import type { TenantContext } from "@migrate/grpc";
import { captureTraceCarrier } from "@migrate/telemetry";
import type { FlowDatabase } from "../db/flow-database.ts";
import { flowEventOutboxRow } from "../events/flow-event.ts";
import { type ConnectionRecord as Connection, parseConnections } from "../ingest/connections-csv.ts";
import type { InventoryRecord } from "../ingest/inventory-record.ts";
import type { Inventory } from "../ingest/open-inventory.ts";
import type { UploadLimits } from "../ingest/upload-limits.ts";
import { FLOW_COLUMNS, type FlowRow } from "./flow-row.ts";

// Rows per insert statement. Each statement sends its rows as ONE JSON parameter that
// PostgreSQL unpacks (jsonb_to_recordset): no per-value bind parameters to build or count.
const BATCH_ROWS = 2_000;
// ...and at most about this many bytes of records, whatever their width.
const BATCH_BYTES = 8 * 1024 * 1024;

interface CreateFlowInput {
  tenant: TenantContext;
  name: string;
  filename: string;
  inventory: Inventory;
  /** The whole connections file once the inventory is read; undefined when none was sent. */
  connections?: () => Promise<Buffer | undefined>;
  /** Bounds of the connections file's columns, cells and rows (the inventory's were set when it was opened). */
  uploadLimits?: UploadLimits;
}

/**
 * Stores a new flow with every record of its inventory, its connections (if any), its pending
 * phases and its `flow.created` event atomically: a bad row anywhere in either file, or a dropped
 * upload, leaves nothing behind.
 *
 * The first batch of records is read before any connection is taken. An upload that fits in it
 * (most do) is stored by ONE statement, all writes in data-modifying CTEs: one round trip instead
 * of eight (begin, five inserts, an update, commit), and no connection held while the client
 * sends. A bigger upload is written batch by batch in one transaction as its bytes arrive.
 */
export async function createFlow(
  db: Kysely<FlowDatabase>,
  names: FlowEventNames,
  input: CreateFlowInput,
): Promise<FlowRow> {
  const records = input.inventory.records;
  let finished = false;
  try {
    const first = await readBatch(records);
    finished = first.done;
    const connections = first.done ? await readConnections(input) : undefined;
    if (first.done && (connections?.length ?? 0) <= BATCH_ROWS) {
      return await createInOneStatement(db, names, input, first.rows, connections ?? []);
    }
    const flow = await createInTransaction(db, names, input, first, connections);
    finished = true;
    return flow;
  } finally {
    // A failed create stops reading the upload (and lets its parser go).
    if (!finished) await records.return(undefined).catch(() => {});
  }
}

interface Batch {
  /** `{"row_number":n,"data":{...}}` texts, spliced into one JSON array by `jsonRows`. */
  rows: string[];
  /** The inventory has no more records. */
  done: boolean;
}

async function readBatch(records: AsyncIterator<InventoryRecord>): Promise<Batch> {
  const rows: string[] = [];
  let bytes = 0;
  while (rows.length < BATCH_ROWS && bytes < BATCH_BYTES) {
    const next = await records.next();
    if (next.done) return { rows, done: true };
    // Each record is already JSON object text: spliced in as is, parsed once, by PostgreSQL.
    const row = `{"row_number":${next.value.rowNumber},"data":${next.value.data}}`;
    rows.push(row);
    bytes += row.length;
  }
  return { rows, done: false };
}

const jsonRows = (rows: readonly string[]) => `[${rows.join(",")}]`;

async function readConnections(input: CreateFlowInput): Promise<Connection[] | undefined> {
  const bytes = await input.connections?.();
  return bytes ? parseConnections(bytes, input.uploadLimits) : undefined;
}

function newFlowValues(id: string, input: CreateFlowInput, traceCarrier: string) {
  return {
    id,
    client_account_id: input.tenant.clientAccountId,
    engagement_id: input.tenant.engagementId || null,
    name: input.name,
    status: "pending",
    phase: "data_import",
    progress: 0,
    source_format: input.inventory.format,
    source_filename: input.filename,
    columns: "[]",
    created_by: input.tenant.userId,
    trace_carrier: traceCarrier,
  };
}

function createdEvent(names: FlowEventNames, id: string, input: CreateFlowInput, counts: Counts) {
  const flow = {
    id,
    client_account_id: input.tenant.clientAccountId,
    engagement_id: input.tenant.engagementId || null,
    phase: "data_import",
    progress: 0,
  } as FlowRow;
  return flowEventOutboxRow(names, flow, "flow.created", {
    name: input.name,
    raw_record_count: counts.records,
    source_format: input.inventory.format,
    columns: input.inventory.columns,
    connection_count: counts.connections,
  });
}

interface Counts {
  records: number;
  connections: number;
}

/**
 * Every write of a small upload in one statement. The CTEs are named after the tables they
 * fill, so the final `select FLOW_COLUMNS from flows` (and its phases subquery) reads the rows
 * just inserted: a statement's own writes are otherwise invisible to it. A foreign key is checked
 * at the end of the statement, when the flow row exists.
 */
async function createInOneStatement(
  db: Kysely<FlowDatabase>,
  names: FlowEventNames,
  input: CreateFlowInput,
  rows: readonly string[],
  connections: readonly Connection[],
): Promise<FlowRow> {
  const id = randomUUID();
  const counts = { records: rows.length, connections: connections.length };
  const flow = {
    ...newFlowValues(id, input, JSON.stringify(captureTraceCarrier())),
    raw_record_count: counts.records,
    columns: JSON.stringify(input.inventory.columns),
    connection_count: counts.connections,
  };
  let query = db
    .with("flows", (q) => q.insertInto("flows").values(flow).returningAll())
    .with("raw_records", (q) =>
      q
        .insertInto("raw_records")
        .columns(["flow_id", "row_number", "data"])
        .expression(
          sql`select ${id}::uuid, r.row_number, r.data
            from jsonb_to_recordset(${jsonRows(rows)}::jsonb) as r(row_number integer, data jsonb)`,
        )
        .returning("flow_id"),
    )
    .with("flow_phases", (q) =>
      q
        .insertInto("flow_phases")
        .values(FLOW_PHASES.map((phase) => ({ flow_id: id, phase })))
        .returningAll(),
    )
    .with("outbox", (q) =>
      q
        .insertInto("outbox")
        .values(createdEvent(names, id, input, counts))
        .returning("event_id"),
    );
  if (connections.length) {
    query = query.with("connections_raw", (q) =>
      q
        .insertInto("connections_raw")
        .columns(["flow_id", "row_number", "source", "destination", "port", "protocol"])
        .expression(connectionRows(id, connections))
        .returning("flow_id"),
    ) as unknown as typeof query;
  }
  return (await query.selectFrom("flows").select(FLOW_COLUMNS).executeTakeFirstOrThrow()) as FlowRow;
}

/** A big upload: batches inserted as they are read, the flow row finished last, one transaction. */
async function createInTransaction(
  db: Kysely<FlowDatabase>,
  names: FlowEventNames,
  input: CreateFlowInput,
  first: Batch,
  readConnectionsAlready: Connection[] | undefined,
): Promise<FlowRow> {
  const { inventory } = input;
  const id = randomUUID();
  return db.transaction().execute(async (trx) => {
    await trx
      .insertInto("flows")
      .values(newFlowValues(id, input, JSON.stringify(captureTraceCarrier())))
      .execute();
    let count = 0;
    const statements = oneAtATime();
    const insertBatch = (rows: readonly string[]) =>
      statements.add(() =>
        sql`insert into raw_records (flow_id, row_number, data)
          select ${id}, r.row_number, r.data
          from jsonb_to_recordset(${jsonRows(rows)}::jsonb) as r(row_number integer, data jsonb)`.execute(trx),
      );
    for (let batch = first; ; ) {
      if (batch.rows.length) await insertBatch(batch.rows);
      count += batch.rows.length;
      if (batch.done) break;
      batch = await readBatch(inventory.records);
    }
    await statements.done();
    const connections = readConnectionsAlready ?? (await readConnections(input)) ?? [];
    await storeConnections(trx, id, connections);
    await trx
      .insertInto("flow_phases")
      .values(FLOW_PHASES.map((phase) => ({ flow_id: id, phase })))
      .execute();
    const flow = (await trx
      .updateTable("flows")
      .set({
        raw_record_count: count,
        columns: JSON.stringify(inventory.columns),
        connection_count: connections.length,
      })
      .where("id", "=", id)
      .returning(FLOW_COLUMNS)
      .executeTakeFirstOrThrow()) as FlowRow;
    await trx
      .insertInto("outbox")
      .values(createdEvent(names, id, input, { records: count, connections: connections.length }))
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

function connectionRows(flowId: string, connections: readonly Connection[]) {
  return sql`select ${flowId}::uuid, c."rowNumber", c.source, c.destination, c.port, c.protocol
    from jsonb_to_recordset(${JSON.stringify(connections)}::jsonb)
      as c("rowNumber" integer, source text, destination text, port integer, protocol text)`;
}

async function storeConnections(trx: Transaction<FlowDatabase>, flowId: string, connections: readonly Connection[]) {
  const statements = oneAtATime();
  for (let at = 0; at < connections.length; at += BATCH_ROWS) {
    const rows = connections.slice(at, at + BATCH_ROWS);
    await statements.add(() =>
      sql`insert into connections_raw (flow_id, row_number, source, destination, port, protocol)
        ${connectionRows(flowId, rows)}`.execute(trx),
    );
  }
  await statements.done();
}
