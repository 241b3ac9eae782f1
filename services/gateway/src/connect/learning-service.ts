import type { ServiceImpl } from "@connectrpc/connect";
import type { LearningService } from "@migrate/gen/gateway/v1/learning_pb";
import { type LearningClient, submitCorrections } from "../learning/learning-requests.ts";
import { requireTenant } from "./interceptors.ts";

/**
 * `migrate.gateway.v1.LearningService`: the REST learning operations over Connect, answered by
 * the learning service for the caller's tenant with the same checks and the same error codes.
 */
export function learningService(deps: { learning: LearningClient }): ServiceImpl<typeof LearningService> {
  const { learning } = deps;
  const options = (ctx: { values: Parameters<typeof requireTenant>[0]; signal: AbortSignal }) => ({
    tenant: requireTenant(ctx.values),
    signal: ctx.signal,
  });
  return {
    async listPatterns(req, ctx) {
      const { patterns } = await learning.listPatterns(
        { patternType: req.patternType, limit: req.limit },
        options(ctx),
      );
      return { patterns };
    },
    async deletePattern(req, ctx) {
      await learning.deletePattern({ patternId: req.patternId }, options(ctx));
      return {};
    },
    async submitCorrections(req, ctx) {
      const { results } = await submitCorrections(learning, req.corrections, options(ctx));
      return { results };
    },
  };
}
