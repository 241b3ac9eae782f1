import type { TenantContext } from "@migrate/grpc";
import type { Logger } from "@migrate/logger";

export interface BudgetGuard {
  /** True when the tenant's monthly LLM budget is spent: the agents must stay heuristic. */
  isExhausted(tenant: TenantContext): Promise<boolean>;
  /** True the first time a flow hits the exhausted budget, so it is announced once per flow. */
  firstExhaustionOf(tenant: TenantContext, flowId: string): boolean;
}

// Flows remembered for the once-per-flow budget event; the oldest are forgotten first.
const MAX_REMEMBERED_FLOWS = 10_000;

/**
 * Asks telemetry (CheckBudget) before LLM calls, caching each tenant's answer for `cacheMs` so
 * a busy flow costs one check per few seconds. When telemetry cannot answer, the check fails
 * open (the call goes ahead, logged): refinement is worth more than a few seconds of a budget
 * being unenforced, and usage is still recorded and counted against the month afterwards.
 */
export function createBudgetGuard(options: {
  check: (tenant: TenantContext) => Promise<{ exhausted: boolean }>;
  cacheMs: number;
  logger: Logger;
  now?: () => number;
}): BudgetGuard {
  const now = options.now ?? Date.now;
  const cache = new Map<string, { exhausted: boolean; expiresAt: number }>();
  const inFlight = new Map<string, Promise<boolean>>();
  const announced = new Map<string, true>();

  const ask = async (tenant: TenantContext): Promise<boolean> => {
    let exhausted = false;
    try {
      exhausted = (await options.check(tenant)).exhausted;
    } catch (error) {
      options.logger.warn(
        { err: error, client_account_id: tenant.clientAccountId },
        "budget check failed; LLM call allowed (fail open)",
      );
    }
    cache.set(tenant.clientAccountId, { exhausted, expiresAt: now() + options.cacheMs });
    return exhausted;
  };

  return {
    async isExhausted(tenant) {
      const key = tenant.clientAccountId;
      const cached = cache.get(key);
      if (cached && cached.expiresAt > now()) return cached.exhausted;
      let pending = inFlight.get(key);
      if (!pending) {
        pending = ask(tenant).finally(() => inFlight.delete(key));
        inFlight.set(key, pending);
      }
      return pending;
    },
    firstExhaustionOf(tenant, flowId) {
      const key = `${tenant.clientAccountId}\u0000${flowId}`;
      if (announced.has(key)) return false;
      announced.set(key, true);
      if (announced.size > MAX_REMEMBERED_FLOWS) announced.delete(announced.keys().next().value as string);
      return true;
    },
  };
}
