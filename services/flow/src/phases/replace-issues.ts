import { sql, type Transaction } from "@migrate/db";
import type { Issue } from "@migrate/gen/agent/v1/agent_pb";
import type { FlowDatabase } from "../db/flow-database.ts";

const CHUNK = 5_000;
const SEVERITIES = new Set(["info", "warning", "error"]);

/**
 * Replaces a phase's issues (of the rows `from`..`to`, or all of them) with `issues`, so a
 * batch redone after a crash or retry leaves exactly one copy of each.
 */
export async function replaceIssues(
  trx: Transaction<FlowDatabase>,
  flowId: string,
  phase: string,
  rows: { from: number; to: number } | "all",
  issues: readonly Issue[],
): Promise<void> {
  let remove = trx.deleteFrom("issues").where("flow_id", "=", flowId).where("phase", "=", phase);
  if (rows !== "all") remove = remove.where("row_number", ">=", rows.from).where("row_number", "<=", rows.to);
  await remove.execute();
  const values = issues.map((issue) => ({
    row_number: Number(issue.rowNumber),
    column_name: issue.column,
    field: issue.field,
    value: issue.value,
    severity: SEVERITIES.has(issue.severity) ? issue.severity : "warning",
    code: issue.code || "unknown",
    message: issue.message,
  }));
  for (let at = 0; at < values.length; at += CHUNK) {
    // One JSON parameter per statement, unpacked by PostgreSQL: no per-value bind parameters.
    await sql`insert into issues (flow_id, phase, row_number, column_name, field, value, severity, code, message)
      select ${flowId}, ${phase}, i.row_number, i.column_name, i.field, i.value, i.severity, i.code, i.message
      from jsonb_to_recordset(${JSON.stringify(values.slice(at, at + CHUNK))}::jsonb) as i(row_number integer,
        column_name text, field text, value text, severity text, code text, message text)`.execute(trx);
  }
}
