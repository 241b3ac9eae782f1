import { requireFlowId } from "../flows/result-params.ts";
import { readBudget, type TelemetryClient, writeBudget } from "../usage/budget-view.ts";
import {
  budgetJson,
  parseBudgetBody,
  parsePriceBody,
  priceJson,
  timelineJson,
  usageJson,
} from "../usage/usage-json.ts";
import { type Authenticate, abortWhenClientGone } from "./authenticate.ts";
import { readJsonBody } from "./read-json-body.ts";
import type { RestContext, Route } from "./rest-router.ts";
import { sendJson } from "./send-json.ts";

/**
 * The caller's LLM usage and budget, the model pricing table and flow timelines, all answered
 * by the telemetry service for the caller's tenant (it validates dates, amounts, `group_by` and
 * the admin role, naming the parameter at fault):
 * `GET /v1/usage?from=&to=&group_by=`, `GET|PUT /v1/usage/budget`, `GET|PUT /v1/pricing`
 * (admin role) and `GET /v1/flows/{id}/timeline`.
 */
export function usageRoutes(deps: { telemetry: TelemetryClient; authenticate: Authenticate }): Route[] {
  const { telemetry } = deps;
  const call = async (ctx: RestContext) => ({
    tenant: await deps.authenticate(ctx),
    signal: abortWhenClientGone(ctx.req, ctx.res),
  });
  const query = (ctx: RestContext, name: string) => ctx.url.searchParams.get(name) ?? "";

  return [
    {
      method: "GET",
      template: "/v1/usage",
      async handle(ctx) {
        const options = await call(ctx);
        const usage = await telemetry.getUsage(
          { from: query(ctx, "from"), to: query(ctx, "to"), groupBy: query(ctx, "group_by") },
          options,
        );
        sendJson(ctx.res, 200, usageJson(usage));
      },
    },
    {
      method: "GET",
      template: "/v1/usage/budget",
      async handle(ctx) {
        const { tenant, signal } = await call(ctx);
        sendJson(ctx.res, 200, { budget: budgetJson(await readBudget(telemetry, tenant, signal)) });
      },
    },
    {
      method: "PUT",
      template: "/v1/usage/budget",
      async handle(ctx) {
        const { tenant, signal } = await call(ctx);
        const monthlyUsd = parseBudgetBody(await readJsonBody(ctx.req));
        sendJson(ctx.res, 200, { budget: budgetJson(await writeBudget(telemetry, tenant, monthlyUsd, signal)) });
      },
    },
    {
      method: "GET",
      template: "/v1/pricing",
      async handle(ctx) {
        const options = await call(ctx);
        const { prices } = await telemetry.listPricing(
          { provider: query(ctx, "provider"), model: query(ctx, "model") },
          options,
        );
        sendJson(ctx.res, 200, { prices: prices.map(priceJson) });
      },
    },
    {
      method: "PUT",
      template: "/v1/pricing",
      async handle(ctx) {
        const options = await call(ctx);
        const price = parsePriceBody(await readJsonBody(ctx.req));
        const saved = await telemetry.setPricing({ price }, options);
        sendJson(ctx.res, saved.created ? 201 : 200, {
          price: saved.price ? priceJson(saved.price) : null,
          created: saved.created,
        });
      },
    },
    {
      method: "GET",
      template: "/v1/flows/{id}/timeline",
      async handle(ctx) {
        const options = await call(ctx);
        const flowId = requireFlowId(ctx.params.id);
        sendJson(ctx.res, 200, timelineJson(await telemetry.getFlowTimeline({ flowId }, options)));
      },
    },
  ];
}
