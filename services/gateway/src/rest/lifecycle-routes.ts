import { FieldMappingSchema } from "@migrate/gen/agent/v1/agent_pb";
import { GetMappingsResponseSchema } from "@migrate/gen/flow/v1/flow_pb";
import { flowJson } from "../flows/flow-json.ts";
import type { FlowClient } from "../flows/flow-operations.ts";
import { parseCorrections } from "../flows/mapping-corrections.ts";
import { restJson } from "../flows/rest-json.ts";
import { requireFlowId } from "../flows/result-params.ts";
import { type Authenticate, abortWhenClientGone } from "./authenticate.ts";
import { readJsonBody } from "./read-json-body.ts";
import type { Route } from "./rest-router.ts";
import { sendJson } from "./send-json.ts";

type Transition = "pauseFlow" | "resumeFlow" | "cancelFlow" | "retryFlow";

const TRANSITIONS: Array<[string, Transition]> = [
  ["pause", "pauseFlow"],
  ["resume", "resumeFlow"],
  ["cancel", "cancelFlow"],
  ["retry", "retryFlow"],
];

/**
 * `POST /v1/flows/{id}/pause|resume|cancel|retry` (200 with the flow; 409 FAILED_PRECONDITION
 * when its status does not allow it), `GET /v1/flows/{id}/mappings` and
 * `POST /v1/flows/{id}/mappings/approve`.
 */
export function lifecycleRoutes(deps: { flow: FlowClient; authenticate: Authenticate }): Route[] {
  const transitions: Route[] = TRANSITIONS.map(([action, method]) => ({
    method: "POST",
    template: `/v1/flows/{id}/${action}`,
    async handle(ctx) {
      const tenant = await deps.authenticate(ctx);
      const flowId = requireFlowId(ctx.params.id);
      const signal = abortWhenClientGone(ctx.req, ctx.res);
      const { flow } = await deps.flow[method]({ flowId }, { tenant, signal });
      sendJson(ctx.res, 200, { flow: flow ? flowJson(flow) : null });
    },
  }));
  return [
    ...transitions,
    {
      method: "GET",
      template: "/v1/flows/{id}/mappings",
      async handle(ctx) {
        const tenant = await deps.authenticate(ctx);
        const flowId = requireFlowId(ctx.params.id);
        const review = await deps.flow.getMappings(
          { flowId },
          { tenant, signal: abortWhenClientGone(ctx.req, ctx.res) },
        );
        sendJson(ctx.res, 200, restJson(GetMappingsResponseSchema, review));
      },
    },
    {
      method: "POST",
      template: "/v1/flows/{id}/mappings/approve",
      async handle(ctx) {
        const tenant = await deps.authenticate(ctx);
        const flowId = requireFlowId(ctx.params.id);
        const corrections = parseCorrections(await readJsonBody(ctx.req));
        const approved = await deps.flow.approveMappings(
          { flowId, corrections },
          { tenant, signal: abortWhenClientGone(ctx.req, ctx.res) },
        );
        sendJson(ctx.res, 200, {
          flow: approved.flow ? flowJson(approved.flow) : null,
          mappings: approved.mappings.map((mapping) => restJson(FieldMappingSchema, mapping)),
        });
      },
    },
  ];
}
