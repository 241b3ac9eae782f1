import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Kysely } from "@migrate/db";
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
  return rowRangePage(db, { table: "raw_records", flowId }, after, limit, (row) => ({
    rowNumber: BigInt(row.row_number),
    valuesJson: row.data,
  }));
}
