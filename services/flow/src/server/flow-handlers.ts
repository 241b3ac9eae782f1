import type { GenService } from "@bufbuild/protobuf/codegenv2";
import type { Kysely } from "@migrate/db";
import { isMeshError, MeshError } from "@migrate/errors";
import type { FlowEventNames } from "@migrate/events";
import type { FlowService } from "@migrate/gen/flow/v1/flow_pb";
import type { ServiceImpl } from "@migrate/grpc";
import type { FlowDatabase } from "../db/flow-database.ts";
import type { FlowMetrics } from "../flow-metrics.ts";
import { createFlow } from "../flows/create-flow.ts";
import { getFlow, listFlows } from "../flows/flow-queries.ts";
import { toFlowMessage } from "../flows/flow-row.ts";
import { statusFromProto } from "../flows/flow-vocabulary.ts";
import { openInventory } from "../ingest/open-inventory.ts";
import type { UploadLimits } from "../ingest/upload-limits.ts";
import { createLifecycleHandlers, type LifecycleDeps } from "./lifecycle-handlers.ts";
import { createResultHandlers } from "./result-handlers.ts";
import { untilAborted } from "./until-aborted.ts";
import { splitUpload } from "./upload-header.ts";

type FlowMethods = typeof FlowService extends GenService<infer T> ? T : never;

export interface FlowHandlerDeps extends LifecycleDeps {
  db: Kysely<FlowDatabase>;
  names: FlowEventNames;
  maxUploadBytes: number;
  /** Columns, cell and row bounds of an upload (default DEFAULT_UPLOAD_LIMITS). */
  uploadLimits?: UploadLimits;
  metrics: FlowMetrics;
  /** Called after a commit queued an event, so the relay sends it without waiting to poll. */
  onEventQueued: () => void;
}

/** FlowService over gRPC; every query is scoped by the caller's tenant context. */
export function createFlowHandlers(deps: FlowHandlerDeps): ServiceImpl<FlowMethods> {
  return {
    // Pause/resume/cancel/retry and the mapping review (the engine's side).
    ...createLifecycleHandlers(deps),
    // Assets, applications, dependencies, waves, issues, report, export (the read side).
    ...createResultHandlers(deps),
    async createFlow(requests, ctx) {
      let format = "unknown";
      try {
        const { header, chunks, connections } = await splitUpload(untilAborted(requests, ctx.signal), {
          maxConnectionsBytes: deps.maxUploadBytes,
        });
        const inventory = await openInventory(chunks, {
          contentType: header.contentType,
          filename: header.filename,
          maxBytes: deps.maxUploadBytes,
          limits: deps.uploadLimits,
        });
        format = inventory.format;
        const flow = await createFlow(deps.db, deps.names, {
          tenant: ctx.tenant,
          name: header.name,
          filename: header.filename,
          inventory,
          connections,
          uploadLimits: deps.uploadLimits,
        });
        deps.onEventQueued();
        deps.onFlowRunnable();
        deps.metrics.uploads.inc({ format, outcome: "created" });
        deps.metrics.rawRecords.inc(flow.raw_record_count);
        ctx.logger.info(
          {
            flow_id: flow.id,
            raw_record_count: flow.raw_record_count,
            connection_count: flow.connection_count,
            source_format: format,
          },
          "flow created",
        );
        return { flow: toFlowMessage(flow) };
      } catch (error) {
        deps.metrics.uploads.inc({ format, outcome: isMeshError(error) ? error.code : "INTERNAL" });
        if (isMeshError(error)) ctx.logger.info({ code: error.code, details: error.details }, "upload refused");
        throw error;
      }
    },

    async getFlow(request, ctx) {
      return { flow: toFlowMessage(await getFlow(deps.db, ctx.tenant, request.flowId)) };
    },

    async listFlows(request, ctx) {
      const status = statusFromProto(request.status);
      if (request.status !== 0 && !status) {
        throw new MeshError("INVALID_ARGUMENT", `unknown status ${request.status}`, { field: "status" });
      }
      const page = await listFlows(deps.db, ctx.tenant, { status, limit: request.limit, cursor: request.cursor });
      return { flows: page.flows.map(toFlowMessage), nextCursor: page.nextCursor };
    },
  };
}
