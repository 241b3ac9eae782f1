import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Kysely } from "@migrate/db";
import { rawValuesAsText } from "@migrate/domain";
import type { ColumnProfileSchema } from "@migrate/gen/agent/v1/agent_pb";
import type { FlowDatabase } from "../db/flow-database.ts";

const PROFILE_ROWS = 500;
const SAMPLES = 20;

/** Each column with up to 20 non-empty values from the first 500 records, for value-shape inference. */
export async function columnProfiles(
  db: Kysely<FlowDatabase>,
  flowId: string,
  columns: readonly string[],
): Promise<MessageInitShape<typeof ColumnProfileSchema>[]> {
  const rows = await db
    .selectFrom("raw_records")
    .select("data")
    .where("flow_id", "=", flowId)
    .orderBy("row_number")
    .limit(PROFILE_ROWS)
    .execute();
  const samples = new Map(columns.map((column) => [column, [] as string[]]));
  for (const row of rows) {
    for (const [column, value] of Object.entries(rawValuesAsText(row.data))) {
      const list = samples.get(column);
      if (list && list.length < SAMPLES && value.trim() !== "") list.push(value);
    }
  }
  return columns.map((source) => ({ source, samples: samples.get(source) ?? [] }));
}
