import { type Kysely, sql } from "@migrate/db";
import type { TelemetryService } from "@migrate/gen/telemetry/v1/telemetry_pb";
import type { ServiceImpl } from "@migrate/grpc";
import type { TelemetryDatabase } from "../db/telemetry-database.ts";
import { monthOf, parseAmount } from "./request-values.ts";

/**
 * GetBudget, SetBudget and CheckBudget for the caller's tenant. Amounts stay exact decimals
 * end to end: compared and subtracted in SQL, returned as text.
 */
export function budgetHandlers(
  db: Kysely<TelemetryDatabase>,
): Pick<ServiceImpl<typeof TelemetryService.method>, "getBudget" | "setBudget" | "checkBudget"> {
  return {
    async getBudget(_request, ctx) {
      const row = await db
        .selectFrom("budgets")
        .select([sql<string>`monthly_usd::text`.as("monthly_usd"), "updated_at"])
        .where("client_account_id", "=", ctx.tenant.clientAccountId)
        .executeTakeFirst();
      return row
        ? { hasBudget: true, monthlyUsd: row.monthly_usd, updatedAt: row.updated_at.toISOString() }
        : { hasBudget: false, monthlyUsd: "", updatedAt: "" };
    },

    async setBudget(request, ctx) {
      const amount = parseAmount(request.monthlyUsd, "monthly_usd", 2);
      const row = await db
        .insertInto("budgets")
        .values({ client_account_id: ctx.tenant.clientAccountId, monthly_usd: amount })
        .onConflict((oc) => oc.column("client_account_id").doUpdateSet({ monthly_usd: amount, updated_at: sql`now()` }))
        .returning([sql<string>`monthly_usd::text`.as("monthly_usd"), "updated_at"])
        .executeTakeFirstOrThrow();
      ctx.logger.info({ monthly_usd: row.monthly_usd }, "LLM budget set");
      return { monthlyUsd: row.monthly_usd, updatedAt: row.updated_at.toISOString() };
    },

    async checkBudget(_request, ctx) {
      const month = monthOf(new Date());
      const { rows } = await sql<{
        limit_usd: string | null;
        spent: string;
        remaining: string | null;
        exhausted: boolean;
      }>`
        with spent as (
          select coalesce(sum(cost_usd), 0) as usd from llm_usage_records
          where client_account_id = ${ctx.tenant.clientAccountId} and occurred_at >= ${month.start}
        )
        select budget.monthly_usd::text as limit_usd,
          trim_scale(spent.usd)::text as spent,
          trim_scale(greatest(budget.monthly_usd - spent.usd, 0))::text as remaining,
          coalesce(spent.usd >= budget.monthly_usd, false) as exhausted
        from spent
        left join budgets as budget on budget.client_account_id = ${ctx.tenant.clientAccountId}`.execute(db);
      const row = rows[0];
      return {
        hasBudget: row?.limit_usd != null,
        limitUsd: row?.limit_usd ?? "",
        spentThisMonthUsd: row?.spent ?? "0",
        remainingUsd: row?.remaining ?? "",
        exhausted: row?.exhausted ?? false,
        month: month.label,
      };
    },
  };
}
