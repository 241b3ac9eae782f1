import type { GenService } from "@bufbuild/protobuf/codegenv2";
import type { Kysely } from "@migrate/db";
import type { FlowService } from "@migrate/gen/flow/v1/flow_pb";
import type { ServiceImpl } from "@migrate/grpc";
import type { FlowDatabase } from "../db/flow-database.ts";
import { getFlow } from "../flows/flow-queries.ts";
import { assetFilter } from "../results/asset-filter.ts";
import { countAssets, selectAssetRows } from "../results/asset-queries.ts";
import { toAssetView } from "../results/asset-view.ts";
import { exportAssetChunks, exportFormat } from "../results/export-assets.ts";
import { buildFlowReport } from "../results/flow-report.ts";
import { decodePageCursor, pageLimit, toPage } from "../results/page-cursor.ts";
import {
  listApplicationViews,
  listDependencyPage,
  listIssuePage,
  listWaveMessages,
} from "../results/result-queries.ts";

type FlowMethods = typeof FlowService extends GenService<infer T> ? T : never;
type ResultMethods =
  | "listAssets"
  | "listApplications"
  | "listDependencies"
  | "listWaves"
  | "listIssues"
  | "getReport"
  | "exportAssets";

export interface ResultHandlerDeps {
  db: Kysely<FlowDatabase>;
}

/**
 * The read side of a discovery flow: inventory, applications, dependencies, waves, issues,
 * report and export. Each call first resolves the flow within the caller's tenant (getFlow's
 * NOT_FOUND for anything else), and only then reads results by that flow's id.
 */
export function createResultHandlers(deps: ResultHandlerDeps): Pick<ServiceImpl<FlowMethods>, ResultMethods> {
  const { db } = deps;
  return {
    async listAssets(request, ctx) {
      const flow = await getFlow(db, ctx.tenant, request.flowId);
      const limit = pageLimit(request.limit);
      const after = request.cursor ? decodePageCursor("assets", request.cursor) : 0;
      const filter = assetFilter(request);
      const [rows, total] = await Promise.all([
        selectAssetRows(db, flow.id, after, limit + 1, filter),
        countAssets(db, flow.id, filter),
      ]);
      const page = toPage("assets", rows, limit, (row) => row.row_number);
      return { assets: page.items.map(toAssetView), nextCursor: page.nextCursor, total: BigInt(total) };
    },

    async listApplications(request, ctx) {
      const flow = await getFlow(db, ctx.tenant, request.flowId);
      return listApplicationViews(db, flow.id);
    },

    async listDependencies(request, ctx) {
      const flow = await getFlow(db, ctx.tenant, request.flowId);
      return listDependencyPage(db, flow.id, request);
    },

    async listWaves(request, ctx) {
      const flow = await getFlow(db, ctx.tenant, request.flowId);
      return listWaveMessages(db, flow.id);
    },

    async listIssues(request, ctx) {
      const flow = await getFlow(db, ctx.tenant, request.flowId);
      return listIssuePage(db, flow.id, request);
    },

    async getReport(request, ctx) {
      return buildFlowReport(db, await getFlow(db, ctx.tenant, request.flowId));
    },

    async *exportAssets(request, ctx) {
      const format = exportFormat(request.format);
      const filter = assetFilter(request);
      const flow = await getFlow(db, ctx.tenant, request.flowId);
      let bytes = 0;
      for await (const chunk of exportAssetChunks(db, flow.id, format, filter)) {
        // A caller that went away stops the reading, not just the sending.
        if (ctx.signal.aborted) return;
        bytes += chunk.length;
        yield { chunk };
      }
      ctx.logger.info({ flow_id: flow.id, format, filter, bytes }, "assets exported");
    },
  };
}
