import type { MessageInitShape } from "@bufbuild/protobuf";
import { type Kysely, sql } from "@migrate/db";
import type { RawRecordSchema } from "@migrate/gen/agent/v1/agent_pb";
import type { FlowDatabase } from "../db/flow-database.ts";
import type { Page } from "../engine/batch-pipeline.ts";
import { rowRangePage } from "./row-range-page.ts";

export type RawRecordInit = MessageInitShape<typeof RawRecordSchema>;

/** The next page of a flow's raw records, as agent.v1.RawRecord messages. */
export function rawPage(
  db: Kysely<FlowDatabase>,
  flowId: string,
  after: number,
  limit: number,
): Promise<Page<RawRecordInit> | undefined> {
  const raw = db.selectFrom("raw_records").where("flow_id", "=", flowId);
  return rowRangePage(
    after,
    limit,
    async (from, to) =>
      (
        await raw
          // As text: it goes to the agent as is (RawRecord.values_json), never parsed here.
          .select(["row_number", sql<string>`data::text`.as("data")])
          .where("row_number", ">=", from)
          .where("row_number", "<=", to)
          .orderBy("row_number")
          .execute()
      ).map((row) => ({ rowNumber: BigInt(row.row_number), valuesJson: row.data })),
    async (from) =>
      (
        await raw
          .select((eb) => eb.fn.min("row_number").as("next"))
          .where("row_number", ">", from)
          .executeTakeFirst()
      )?.next,
  );
}
