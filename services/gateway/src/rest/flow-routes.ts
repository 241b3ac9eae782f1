import { flowJson } from "../flows/flow-json.ts";
import type { FlowOperations } from "../flows/flow-operations.ts";
import { parseListOptions } from "../flows/list-options.ts";
import { type Authenticate, abortWhenClientGone, headerValue } from "./authenticate.ts";
import { checkUploadHeaders, readUpload } from "./read-upload.ts";
import type { Route } from "./rest-router.ts";
import { discardBody, sendJson } from "./send-json.ts";

/**
 * `POST /v1/flows` (201 with the new flow; 200 with `Idempotent-Replayed: true` when an earlier
 * request with the same Idempotency-Key created it), `GET /v1/flows/{id}`, `GET /v1/flows`.
 */
export function flowRoutes(deps: {
  operations: FlowOperations;
  authenticate: Authenticate;
  maxUploadBytes: number;
}): Route[] {
  const { authenticate } = deps;
  return [
    {
      method: "POST",
      template: "/v1/flows",
      async handle(ctx) {
        const tenant = await authenticate(ctx, "uploads");
        checkUploadHeaders(ctx.req, deps.maxUploadBytes);
        const idempotencyKey = headerValue(ctx.req, "idempotency-key");
        const { flow, replayed } = await deps.operations.create({
          tenant,
          idempotencyKey,
          openUpload: () => readUpload(ctx.req, ctx.url, deps.maxUploadBytes),
          signal: abortWhenClientGone(ctx.req, ctx.res),
        });
        const headers: Record<string, string> = { location: `/v1/flows/${encodeURIComponent(flow.id)}` };
        if (replayed) {
          headers["idempotent-replayed"] = "true";
          // The replayed request's body was never read.
          discardBody(ctx.req);
        }
        sendJson(ctx.res, replayed ? 200 : 201, { flow: flowJson(flow) }, headers);
      },
    },
    {
      method: "GET",
      template: "/v1/flows/{id}",
      async handle(ctx) {
        const tenant = await authenticate(ctx);
        const flow = await deps.operations.get(tenant, ctx.params.id ?? "", abortWhenClientGone(ctx.req, ctx.res));
        sendJson(ctx.res, 200, { flow: flowJson(flow) });
      },
    },
    {
      method: "GET",
      template: "/v1/flows",
      async handle(ctx) {
        const tenant = await authenticate(ctx);
        const query = ctx.url.searchParams;
        const options = parseListOptions({
          status: query.get("status"),
          limit: query.get("limit"),
          cursor: query.get("cursor"),
        });
        const page = await deps.operations.list(tenant, options, abortWhenClientGone(ctx.req, ctx.res));
        sendJson(ctx.res, 200, { flows: page.flows.map(flowJson), next_cursor: page.nextCursor || null });
      },
    },
  ];
}
