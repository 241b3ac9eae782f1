import type { ServerResponse } from "node:http";
import { ApplicationEdgeSchema, DependencyEdgeSchema, IssueSchema, WaveSchema } from "@migrate/gen/agent/v1/agent_pb";
import { ApplicationViewSchema, AssetViewSchema, GetReportResponseSchema } from "@migrate/gen/flow/v1/flow_pb";
import { flowJson } from "../flows/flow-json.ts";
import type { FlowClient } from "../flows/flow-operations.ts";
import { restJson } from "../flows/rest-json.ts";
import { assetFilterParams, exportFormat, requireFlowId, resultLimit } from "../flows/result-params.ts";
import { type Authenticate, abortWhenClientGone } from "./authenticate.ts";
import type { RestContext, Route } from "./rest-router.ts";
import { sendJson } from "./send-json.ts";

const EXPORT_TYPES = { csv: "text/csv; charset=utf-8", json: "application/json; charset=utf-8" } as const;

/**
 * The results of a flow: `/assets`, `/dependencies` and `/issues` paged with `limit` (1-1000,
 * default 100) and `cursor` (`next_cursor` of the previous page; null on the last) plus `total`;
 * `/assets` and `/export` filtered by `asset_type`, `environment`, `os_family`, `strategy` and
 * `application` (server-side; `total` counts the matches);
 * `/applications`, `/waves`, `/report`; `/export?format=csv|json` streamed as it is read.
 */
export function resultRoutes(deps: { flow: FlowClient; authenticate: Authenticate }): Route[] {
  const { flow } = deps;
  const call = async (ctx: RestContext) => ({
    tenant: await deps.authenticate(ctx),
    flowId: requireFlowId(ctx.params.id),
    signal: abortWhenClientGone(ctx.req, ctx.res),
  });
  const page = (ctx: RestContext) => ({
    limit: resultLimit(ctx.url.searchParams.get("limit")),
    cursor: ctx.url.searchParams.get("cursor") ?? "",
  });
  const route = (path: string, handle: Route["handle"]): Route => ({
    method: "GET",
    template: `/v1/flows/{id}/${path}`,
    handle,
  });

  return [
    route("assets", async (ctx) => {
      const { tenant, flowId, signal } = await call(ctx);
      const filter = assetFilterParams(ctx.url.searchParams);
      const res = await flow.listAssets({ flowId, ...page(ctx), ...filter }, { tenant, signal });
      sendJson(ctx.res, 200, {
        assets: res.assets.map((asset) => restJson(AssetViewSchema, asset)),
        next_cursor: res.nextCursor || null,
        total: Number(res.total),
      });
    }),
    route("applications", async (ctx) => {
      const { tenant, flowId, signal } = await call(ctx);
      const res = await flow.listApplications({ flowId }, { tenant, signal });
      sendJson(ctx.res, 200, {
        applications: res.applications.map((app) => restJson(ApplicationViewSchema, app)),
        application_edges: res.applicationEdges.map((edge) => restJson(ApplicationEdgeSchema, edge)),
      });
    }),
    route("dependencies", async (ctx) => {
      const { tenant, flowId, signal } = await call(ctx);
      const res = await flow.listDependencies({ flowId, ...page(ctx) }, { tenant, signal });
      sendJson(ctx.res, 200, {
        edges: res.edges.map((edge) => restJson(DependencyEdgeSchema, edge)),
        next_cursor: res.nextCursor || null,
        total: Number(res.total),
      });
    }),
    route("waves", async (ctx) => {
      const { tenant, flowId, signal } = await call(ctx);
      const res = await flow.listWaves({ flowId }, { tenant, signal });
      sendJson(ctx.res, 200, { waves: res.waves.map((wave) => restJson(WaveSchema, wave)) });
    }),
    route("issues", async (ctx) => {
      const { tenant, flowId, signal } = await call(ctx);
      const severity = ctx.url.searchParams.get("severity") ?? "";
      const res = await flow.listIssues({ flowId, severity, ...page(ctx) }, { tenant, signal });
      sendJson(ctx.res, 200, {
        issues: res.issues.map((issue) => restJson(IssueSchema, issue)),
        next_cursor: res.nextCursor || null,
        total: Number(res.total),
      });
    }),
    route("report", async (ctx) => {
      const { tenant, flowId, signal } = await call(ctx);
      const report = await flow.getReport({ flowId }, { tenant, signal });
      sendJson(ctx.res, 200, {
        ...restJson(GetReportResponseSchema, report),
        flow: report.flow ? flowJson(report.flow) : null,
      });
    }),
    route("export", async (ctx) => {
      const { tenant, flowId, signal } = await call(ctx);
      const format = exportFormat(ctx.url.searchParams.get("format"));
      const filter = assetFilterParams(ctx.url.searchParams);
      const chunks = flow.exportAssets({ flowId, format, ...filter }, { tenant, signal })[Symbol.asyncIterator]();
      // The first chunk decides the answer: an unknown flow is still a JSON 404, not a broken download.
      const first = await chunks.next();
      const filename = `flow-${flowId.replace(/[^A-Za-z0-9_-]/g, "_")}-assets.${format}`;
      ctx.res.writeHead(200, {
        "content-type": EXPORT_TYPES[format],
        "content-disposition": `attachment; filename="${filename}"`,
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      });
      try {
        for (let next = first; !next.done; next = await chunks.next()) await write(ctx.res, next.value.chunk);
        ctx.res.end();
      } catch (error) {
        // Mid-download there is no status left to send: cut the transfer so the client sees it fail.
        if (!signal.aborted) ctx.logger.warn({ err: error, flow_id: flowId }, "export interrupted");
        ctx.res.destroy();
      }
    }),
  ];
}

/** Writes with backpressure: the next chunk is read from the flow service only once this one is taken. */
function write(res: ServerResponse, chunk: Uint8Array): Promise<void> {
  if (res.destroyed) return Promise.reject(new Error("client closed the connection"));
  if (res.write(chunk)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", closed);
      resolve();
    };
    const closed = () => {
      res.off("drain", done);
      reject(new Error("client closed the connection"));
    };
    res.once("drain", done);
    res.once("close", closed);
  });
}
