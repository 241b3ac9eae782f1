import type { ColumnType, Generated } from "kysely";

/** One run of one agent over one flow's data. */
export interface AgentRunsTable {
  id: Generated<string>;
  client_account_id: string;
  flow_id: string;
  agent: string;
  status: "running" | "succeeded" | "failed";
  started_at: ColumnType<Date, Date | string | undefined, Date | string>;
  finished_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  input_count: Generated<number>;
  output_count: Generated<number>;
}

/** The tables of schema `agent`, as kysely sees them. */
export interface AgentDatabase {
  agent_runs: AgentRunsTable;
}
