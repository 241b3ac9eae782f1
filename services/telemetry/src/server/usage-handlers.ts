import { type Kysely, sql } from "@migrate/db";
import { MeshError } from "@migrate/errors";
import type { TelemetryService } from "@migrate/gen/telemetry/v1/telemetry_pb";
import type { ServiceImpl } from "@migrate/grpc";
import type { TelemetryDatabase } from "../db/telemetry-database.ts";
import { monthOf, parseInstant } from "./request-values.ts";

const GROUPS = {
  model: { key: sql`model`, provider: sql`provider` },
  agent: { key: sql`agent`, provider: sql`''` },
  day: { key: sql`to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD')`, provider: sql`''` },
  flow: { key: sql`flow_id`, provider: sql`''` },
} as const;
type GroupBy = keyof typeof GROUPS;
// A tenant's usage over a year by flow is thousands of rows at most; this bounds a wild range.
const MAX_ROWS = 10_000;

interface Totals {
  key: string;
  provider: string;
  calls: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: string;
}

/** GetUsage: the caller's LLM usage in [from, to), grouped, with exact costs. */
export function usageHandlers(
  db: Kysely<TelemetryDatabase>,
): Pick<ServiceImpl<typeof TelemetryService.method>, "getUsage"> {
  return {
    async getUsage(request, ctx) {
      const groupBy = (request.groupBy.trim() || "model") as GroupBy;
      if (!Object.hasOwn(GROUPS, groupBy)) {
        throw new MeshError("INVALID_ARGUMENT", "group_by must be model, agent, day or flow", {
          field: "group_by",
          value: request.groupBy.slice(0, 32),
          valid: Object.keys(GROUPS),
        });
      }
      const now = new Date();
      const from = parseInstant(request.from, "from") ?? monthOf(now).start;
      const to = parseInstant(request.to, "to") ?? now;
      if (from >= to) throw new MeshError("INVALID_ARGUMENT", "from must be before to", { field: "from" });

      const group = GROUPS[groupBy];
      const measures = sql`
        count(*) filter (where outcome <> 'budget_exhausted')::bigint as calls,
        coalesce(sum(input_tokens), 0)::bigint as input_tokens,
        coalesce(sum(output_tokens), 0)::bigint as output_tokens,
        trim_scale(coalesce(sum(cost_usd), 0))::text as cost_usd`;
      const scope = sql`client_account_id = ${ctx.tenant.clientAccountId}
        and occurred_at >= ${from} and occurred_at < ${to}`;
      const [{ rows }, { rows: totals }] = await Promise.all([
        sql<Totals>`select ${group.key} as key, ${group.provider} as provider, ${measures}
          from llm_usage_records where ${scope}
          group by 1, 2 order by 1, 2 limit ${MAX_ROWS}`.execute(db),
        sql<Totals>`select '' as key, '' as provider, ${measures}
          from llm_usage_records where ${scope}`.execute(db),
      ]);
      const out = (row: Totals) => ({
        key: row.key,
        provider: row.provider,
        calls: BigInt(row.calls),
        inputTokens: BigInt(row.input_tokens),
        outputTokens: BigInt(row.output_tokens),
        costUsd: row.cost_usd,
      });
      return {
        from: from.toISOString(),
        to: to.toISOString(),
        groupBy,
        rows: rows.map(out),
        total: out(totals[0] ?? { key: "", provider: "", calls: 0, input_tokens: 0, output_tokens: 0, cost_usd: "0" }),
      };
    },
  };
}
