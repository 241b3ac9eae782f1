import { create } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";
import { MeshError } from "@migrate/errors";
import type { FlowEventEnvelope } from "@migrate/events";
import { FlowEventSchema, FlowPhase } from "@migrate/gen/common/v1/common_pb";
import type { FlowsService } from "@migrate/gen/gateway/v1/gateway_pb";
import type { FlowEventFeed } from "../flows/flow-event-feed.ts";
import type { FlowClient } from "../flows/flow-operations.ts";
import { oncePerEvent } from "../flows/once-per-event.ts";
import { exportFormat, MAX_RESULT_LIMIT, requireFlowId } from "../flows/result-params.ts";
import { requireTenant } from "./interceptors.ts";

type DiscoveryMethods = Exclude<keyof ServiceImpl<typeof FlowsService>, "createFlow" | "getFlow" | "listFlows">;

/**
 * Lifecycle, mapping review, results, export and WatchFlow over Connect: the same FlowService
 * calls and the same event feed as the REST routes, so both APIs answer alike.
 */
export function discoveryMethods(deps: {
  flow: FlowClient;
  feed: FlowEventFeed;
}): Pick<ServiceImpl<typeof FlowsService>, DiscoveryMethods> {
  const { flow } = deps;
  const options = (ctx: { values: Parameters<typeof requireTenant>[0]; signal: AbortSignal }) => ({
    tenant: requireTenant(ctx.values),
    signal: ctx.signal,
  });
  const id = (request: { flowId: string }) => ({ flowId: requireFlowId(request.flowId) });
  // The flow service's answer under the gateway's message name: same fields, other $typeName.
  const plain = <T extends { $typeName: string }>(message: T): Omit<T, "$typeName"> => {
    const { $typeName: _, ...fields } = message;
    return fields;
  };
  return {
    pauseFlow: (req, ctx) => flow.pauseFlow(id(req), options(ctx)).then(plain),
    resumeFlow: (req, ctx) => flow.resumeFlow(id(req), options(ctx)).then(plain),
    cancelFlow: (req, ctx) => flow.cancelFlow(id(req), options(ctx)).then(plain),
    retryFlow: (req, ctx) => flow.retryFlow(id(req), options(ctx)).then(plain),
    async getMappings(req, ctx) {
      return { mappings: await flow.getMappings(id(req), options(ctx)) };
    },
    async approveMappings(req, ctx) {
      const corrections = req.corrections.map((c, index) => {
        if (!c.sourceField) {
          throw new MeshError("INVALID_ARGUMENT", `corrections[${index}].source_field must not be empty`, {
            field: `corrections[${index}].source_field`,
          });
        }
        return { sourceField: c.sourceField, targetField: c.targetField };
      });
      return plain(await flow.approveMappings({ ...id(req), corrections }, options(ctx)));
    },
    listAssets: (req, ctx) =>
      flow
        .listAssets({ ...id(req), limit: limit(req.limit), cursor: req.cursor, ...assetFilter(req) }, options(ctx))
        .then(plain),
    listApplications: (req, ctx) => flow.listApplications(id(req), options(ctx)).then(plain),
    listDependencies: (req, ctx) =>
      flow.listDependencies({ ...id(req), limit: limit(req.limit), cursor: req.cursor }, options(ctx)).then(plain),
    listWaves: (req, ctx) => flow.listWaves(id(req), options(ctx)).then(plain),
    listIssues: (req, ctx) =>
      flow
        .listIssues({ ...id(req), limit: limit(req.limit), cursor: req.cursor, severity: req.severity }, options(ctx))
        .then(plain),
    async getReport(req, ctx) {
      return { report: await flow.getReport(id(req), options(ctx)) };
    },
    async *exportAssets(req, ctx) {
      const format = exportFormat(req.format);
      for await (const { chunk } of flow.exportAssets({ ...id(req), format, ...assetFilter(req) }, options(ctx)))
        yield { chunk };
    },
    async *watchFlow(req, ctx) {
      const events = await deps.feed.watch({
        tenant: requireTenant(ctx.values),
        flowId: requireFlowId(req.flowId),
        afterEventId: req.afterEventId || undefined,
        signal: ctx.signal,
      });
      // One message per event for all of the flow's watchers (connect serializes it for each).
      for await (const event of events) yield { event: oncePerEvent(event, flowEventMessage) };
    },
  };
}

/** 0 is the default page; the REST API's bound applies. */
function limit(value: number): number {
  if (value < 0 || value > MAX_RESULT_LIMIT) {
    throw new MeshError("INVALID_ARGUMENT", `limit must be from 1 to ${MAX_RESULT_LIMIT} (0: default)`, {
      field: "limit",
      value: String(value),
    });
  }
  return value;
}

/** The JSON envelope as `migrate.common.v1.FlowEvent`: the phase as its enum, the payload as JSON text. */
export function flowEventMessage(event: FlowEventEnvelope) {
  const phase = FlowPhase[(event.phase ?? "").toUpperCase() as keyof typeof FlowPhase] ?? FlowPhase.UNSPECIFIED;
  return create(FlowEventSchema, {
    eventId: event.event_id,
    type: event.type,
    flowId: event.flow_id,
    clientAccountId: event.client_account_id,
    engagementId: event.engagement_id ?? "",
    phase: typeof phase === "number" ? phase : FlowPhase.UNSPECIFIED,
    progress: event.progress ?? 0,
    occurredAt: event.occurred_at ?? "",
    payloadJson: JSON.stringify(event.payload ?? {}),
  });
}

/** The asset filters of ListAssets and ExportAssets, passed on as they are; the flow service checks them. */
function assetFilter(req: {
  assetType: string;
  environment: string;
  osFamily: string;
  strategy: string;
  application: string;
}) {
  const { assetType, environment, osFamily, strategy, application } = req;
  return { assetType, environment, osFamily, strategy, application };
}
