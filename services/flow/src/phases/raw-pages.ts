import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Kysely } from "@migrate/db";
import type { RawRecordSchema } from "@migrate/gen/agent/v1/agent_pb";
import type { FlowDatabase } from "../db/flow-database.ts";
import type { Page } from "../engine/batch-pipeline.ts";

export type RawRecordInit = MessageInitShape<typeof RawRecordSchema>;

export interface RawItem {
  record: RawRecordInit;
  quality: number | null;
}

/** The next keyset page of a flow's raw records, as agent.v1.RawRecord messages. */
export async function rawPage(
  db: Kysely<FlowDatabase>,
  flowId: string,
  after: number,
  limit: number,
): Promise<Page<RawItem> | undefined> {
  const rows = await db
    .selectFrom("raw_records")
    .select(["row_number", "data", "quality"])
    .where("flow_id", "=", flowId)
    .where("row_number", ">", after)
    .orderBy("row_number")
    .limit(limit)
    .execute();
  if (rows.length === 0) return undefined;
  return {
    first: rows[0]?.row_number ?? after + 1,
    last: rows[rows.length - 1]?.row_number ?? after,
    items: rows.map((row) => ({
      record: { rowNumber: BigInt(row.row_number), values: toValues(row.data) },
      quality: row.quality,
    })),
  };
}

/** JSON inventories may hold numbers, booleans or nested values; the agent reads text. */
export function toValues(data: Record<string, unknown>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(data)) {
    if (value === null || value === undefined) values[key] = "";
    else if (typeof value === "string") values[key] = value;
    else if (typeof value === "object") values[key] = JSON.stringify(value);
    else values[key] = String(value);
  }
  return values;
}
