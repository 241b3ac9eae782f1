import type { ServiceImpl } from "@connectrpc/connect";
import type { UsageService } from "@migrate/gen/gateway/v1/usage_pb";
import { requireFlowId } from "../flows/result-params.ts";
import { readBudget, type TelemetryClient, writeBudget } from "../usage/budget-view.ts";
import { requireTenant } from "./interceptors.ts";

/**
 * `migrate.gateway.v1.UsageService`: the REST usage, budget, pricing and timeline operations
 * over Connect, answered by the telemetry service for the caller's tenant with the same checks.
 */
export function usageService(deps: { telemetry: TelemetryClient }): ServiceImpl<typeof UsageService> {
  const { telemetry } = deps;
  const options = (ctx: { values: Parameters<typeof requireTenant>[0]; signal: AbortSignal }) => ({
    tenant: requireTenant(ctx.values),
    signal: ctx.signal,
  });
  // The telemetry service's answer under the gateway's message name: same fields, other $typeName.
  const plain = <T extends { $typeName: string }>(message: T): Omit<T, "$typeName"> => {
    const { $typeName: _, ...fields } = message;
    return fields;
  };
  return {
    getUsage: (req, ctx) =>
      telemetry.getUsage({ from: req.from, to: req.to, groupBy: req.groupBy }, options(ctx)).then(plain),
    async getBudget(_req, ctx) {
      const { tenant, signal } = options(ctx);
      return { budget: await readBudget(telemetry, tenant, signal) };
    },
    async setBudget(req, ctx) {
      const { tenant, signal } = options(ctx);
      return { budget: await writeBudget(telemetry, tenant, req.monthlyUsd, signal) };
    },
    listPricing: (req, ctx) =>
      telemetry.listPricing({ provider: req.provider, model: req.model }, options(ctx)).then(plain),
    setPricing: (req, ctx) => telemetry.setPricing({ price: req.price }, options(ctx)).then(plain),
    getFlowTimeline: (req, ctx) =>
      telemetry.getFlowTimeline({ flowId: requireFlowId(req.flowId) }, options(ctx)).then(plain),
  };
}
