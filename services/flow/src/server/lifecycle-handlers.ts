import type { GenService } from "@bufbuild/protobuf/codegenv2";
import type { Kysely } from "@migrate/db";
import { ASSET_FIELD_NAMES } from "@migrate/domain";
import { isMeshError } from "@migrate/errors";
import type { FlowEventNames } from "@migrate/events";
import type { FlowService } from "@migrate/gen/flow/v1/flow_pb";
import type { CallContext, ServiceImpl } from "@migrate/grpc";
import type { FlowDatabase } from "../db/flow-database.ts";
import type { LearningFeedback } from "../engine/learning-feedback.ts";
import { reviewReasons } from "../engine/mapping-review.ts";
import type { FlowMetrics } from "../flow-metrics.ts";
import { approveMappings } from "../flows/approve-mappings.ts";
import { getFlow } from "../flows/flow-queries.ts";
import { toFlowMessage } from "../flows/flow-row.ts";
import { type Transition, transitionFlow } from "../flows/transition-flow.ts";
import { loadMappings, toFieldMapping } from "../phases/stored-mappings.ts";

type FlowMethods = typeof FlowService extends GenService<infer T> ? T : never;
type LifecycleMethods = "pauseFlow" | "resumeFlow" | "cancelFlow" | "retryFlow" | "getMappings" | "approveMappings";

export interface LifecycleDeps {
  db: Kysely<FlowDatabase>;
  names: FlowEventNames;
  metrics: FlowMetrics;
  /** Called after a commit queued an event. */
  onEventQueued: () => void;
  /** Called after a commit made a flow runnable, so the engine claims it now rather than at its next poll. */
  onFlowRunnable: () => void;
  /** Mappings below it need a person's approval. */
  confidenceThreshold: number;
  /** Where approved reviews go to become the tenant's learned patterns (in the background). */
  learningFeedback: LearningFeedback;
}

const NOT_ENDED = ["pending", "running", "awaiting_input", "paused"];

const PAUSE: Transition = {
  from: ["pending", "running"],
  to: "paused",
  event: "flow.paused",
  allowed: "only a running or pending flow can be paused",
  statusMessage: (user) => `paused by ${user || "a user"}; resume it to continue`,
};
const RESUME: Transition = {
  from: ["paused"],
  to: "running",
  event: "flow.resumed",
  allowed: "only a paused flow can be resumed",
  statusMessage: () => "",
};
const CANCEL: Transition = {
  from: NOT_ENDED,
  to: "cancelled",
  event: "flow.cancelled",
  allowed: "only a flow that has not ended can be cancelled",
  statusMessage: (user) => `cancelled by ${user || "a user"}`,
};
const RETRY: Transition = {
  from: ["failed"],
  to: "running",
  event: "flow.retried",
  allowed: "only a failed flow can be retried",
  statusMessage: () => "",
  // The failed phase runs again from its checkpoint; the phases it finished stay finished.
  alsoDo: async (trx, flow) => {
    const reset = await trx
      .updateTable("flow_phases")
      .set({ status: "pending", error: "" })
      .where("flow_id", "=", flow.id)
      .where("status", "=", "failed")
      .returning("phase")
      .execute();
    return { phase: reset[0]?.phase ?? flow.phase };
  },
};

/** Pause, resume, cancel, retry and the mapping review of the caller's flows. */
export function createLifecycleHandlers(deps: LifecycleDeps): Pick<ServiceImpl<FlowMethods>, LifecycleMethods> {
  const measured = async <T>(operation: string, work: () => Promise<T>): Promise<T> => {
    try {
      const result = await work();
      deps.metrics.operations.inc({ operation, outcome: "ok" });
      return result;
    } catch (error) {
      deps.metrics.operations.inc({ operation, outcome: isMeshError(error) ? error.code : "INTERNAL" });
      throw error;
    }
  };
  const move =
    (operation: string, transition: Transition, runnable: boolean) => (request: { flowId: string }, ctx: CallContext) =>
      measured(operation, async () => {
        const flow = await transitionFlow(deps.db, deps.names, ctx.tenant, request.flowId, transition);
        deps.onEventQueued();
        if (runnable) deps.onFlowRunnable();
        ctx.logger.info({ flow_id: flow.id, status: flow.status }, `flow ${operation}`);
        return { flow: toFlowMessage(flow) };
      });

  return {
    pauseFlow: move("pause", PAUSE, false),
    resumeFlow: move("resume", RESUME, true),
    cancelFlow: move("cancel", CANCEL, false),
    retryFlow: move("retry", RETRY, true),

    async getMappings(request, ctx) {
      const flow = await getFlow(deps.db, ctx.tenant, request.flowId);
      const [mappings, format] = await Promise.all([
        loadMappings(deps.db, flow.id),
        deps.db.selectFrom("flows").select("mapping_format").where("id", "=", flow.id).executeTakeFirst(),
      ]);
      const awaiting = flow.status === "awaiting_input";
      return {
        flowId: flow.id,
        format: format?.mapping_format ?? "",
        mappings: mappings.map(toFieldMapping),
        confidenceThreshold: deps.confidenceThreshold,
        awaitingApproval: awaiting,
        reasons: awaiting ? reviewReasons(mappings, deps.confidenceThreshold) : [],
        validTargets: [...ASSET_FIELD_NAMES],
      };
    },

    approveMappings: (request, ctx) =>
      measured("approve_mappings", async () => {
        const corrections = request.corrections.map((c) => ({
          sourceField: c.sourceField,
          targetField: c.targetField,
        }));
        const result = await approveMappings(deps.db, deps.names, ctx.tenant, request.flowId, corrections);
        deps.onEventQueued();
        deps.onFlowRunnable();
        ctx.logger.info({ flow_id: result.flow.id, corrections: result.applied.length }, "mappings approved");
        // After the commit and without waiting: learning being down must not fail or slow the approval.
        deps.learningFeedback.record({
          tenant: ctx.tenant,
          flow: result.flow,
          mappings: result.mappings,
          applied: result.applied,
        });
        return { flow: toFlowMessage(result.flow), mappings: result.mappings.map(toFieldMapping) };
      }),
  };
}
