import { PatternSchema } from "@migrate/gen/learning/v1/learning_pb";
import { restJson } from "../flows/rest-json.ts";
import {
  type LearningClient,
  parseSubmittedCorrections,
  readPatternLimit,
  submitCorrections,
} from "../learning/learning-requests.ts";
import { type Authenticate, abortWhenClientGone } from "./authenticate.ts";
import { readJsonBody } from "./read-json-body.ts";
import type { RestContext, Route } from "./rest-router.ts";
import { sendJson } from "./send-json.ts";

/**
 * The caller's learned patterns, answered by the learning service for the caller's tenant:
 * `GET /v1/learning/patterns?type=&limit=` (unknown type: 400 listing the valid ones),
 * `DELETE /v1/learning/patterns/{id}` (204; another tenant's or an unknown id: the same 404) and
 * `POST /v1/learning/corrections` (all or none; a target outside the canonical schema: 400
 * listing the valid ones).
 */
export function learningRoutes(deps: { learning: LearningClient; authenticate: Authenticate }): Route[] {
  const { learning } = deps;
  const call = async (ctx: RestContext) => ({
    tenant: await deps.authenticate(ctx),
    signal: abortWhenClientGone(ctx.req, ctx.res),
  });

  return [
    {
      method: "GET",
      template: "/v1/learning/patterns",
      async handle(ctx) {
        const options = await call(ctx);
        const limit = readPatternLimit(ctx.url.searchParams.get("limit"));
        const { patterns } = await learning.listPatterns(
          { patternType: ctx.url.searchParams.get("type") ?? "", limit },
          options,
        );
        sendJson(ctx.res, 200, { patterns: patterns.map((pattern) => restJson(PatternSchema, pattern)) });
      },
    },
    {
      method: "DELETE",
      template: "/v1/learning/patterns/{id}",
      async handle(ctx) {
        const options = await call(ctx);
        await learning.deletePattern({ patternId: ctx.params.id ?? "" }, options);
        ctx.res.writeHead(204, { "cache-control": "no-store" });
        ctx.res.end();
      },
    },
    {
      method: "POST",
      template: "/v1/learning/corrections",
      async handle(ctx) {
        const options = await call(ctx);
        const corrections = parseSubmittedCorrections(await readJsonBody(ctx.req));
        const stored = await submitCorrections(learning, corrections, options);
        sendJson(ctx.res, 200, {
          results: stored.results.map((result) => ({
            pattern: result.pattern ? restJson(PatternSchema, result.pattern) : null,
            merged: result.merged,
          })),
        });
      },
    },
  ];
}
