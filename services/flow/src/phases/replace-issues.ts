import type { Insertable, Transaction } from "@migrate/db";
import type { Issue } from "@migrate/gen/agent/v1/agent_pb";
import type { FlowDatabase, IssuesTable } from "../db/flow-database.ts";

// 9 parameters a row: 2,000 rows stay far below PostgreSQL's 65,535 bind parameters.
const CHUNK = 2_000;
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
  const values: Insertable<IssuesTable>[] = issues.map((issue) => ({
    flow_id: flowId,
    phase,
    row_number: Number(issue.rowNumber),
    column_name: issue.column,
    field: issue.field,
    value: issue.value,
    severity: (SEVERITIES.has(issue.severity) ? issue.severity : "warning") as IssuesTable["severity"],
    code: issue.code || "unknown",
    message: issue.message,
  }));
  for (let at = 0; at < values.length; at += CHUNK) {
    await trx
      .insertInto("issues")
      .values(values.slice(at, at + CHUNK))
      .execute();
  }
}
