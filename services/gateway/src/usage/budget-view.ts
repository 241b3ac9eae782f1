import type { TelemetryService } from "@migrate/gen/telemetry/v1/telemetry_pb";
import type { CallOptions, ServiceClient, TenantContext } from "@migrate/grpc";

export type TelemetryClient = ServiceClient<typeof TelemetryService.method>;

/** A tenant's monthly budget with this month's spending, as both public APIs show it. */
export interface BudgetView {
  hasBudget: boolean;
  monthlyUsd: string;
  updatedAt: string;
  month: string;
  spentThisMonthUsd: string;
  remainingUsd: string;
  exhausted: boolean;
}

/**
 * The budget (GetBudget) and the month's spending against it (CheckBudget), asked together:
 * a user setting a budget wants to see at once whether LLM use is now stopped.
 */
export async function readBudget(
  telemetry: TelemetryClient,
  tenant: TenantContext,
  signal?: AbortSignal,
): Promise<BudgetView> {
  const options: CallOptions = { tenant, signal };
  const [budget, check] = await Promise.all([telemetry.getBudget({}, options), telemetry.checkBudget({}, options)]);
  return {
    hasBudget: budget.hasBudget,
    monthlyUsd: budget.monthlyUsd,
    updatedAt: budget.updatedAt,
    month: check.month,
    spentThisMonthUsd: check.spentThisMonthUsd,
    remainingUsd: check.remainingUsd,
    exhausted: check.exhausted,
  };
}

/** Sets the budget (the telemetry service validates the amount), then reads it back with the spending. */
export async function writeBudget(
  telemetry: TelemetryClient,
  tenant: TenantContext,
  monthlyUsd: string,
  signal?: AbortSignal,
): Promise<BudgetView> {
  await telemetry.setBudget({ monthlyUsd }, { tenant, signal });
  return readBudget(telemetry, tenant, signal);
}
