import type { Kysely } from "@migrate/db";
import type { FlowEventNames } from "@migrate/events";
import type { Logger } from "@migrate/logger";
import { contextFromCarrier, recordSpanError } from "@migrate/telemetry";
import { context, trace } from "@opentelemetry/api";
import type { FlowDatabase } from "../db/flow-database.ts";
import type { FlowMetrics } from "../flow-metrics.ts";
import { wakeableSleep } from "../wakeable-sleep.ts";
import type { EngineSettings } from "./engine-settings.ts";
import { type ClaimedFlow, claimFlow, renewLease } from "./flow-lease.ts";
import type { AgentClient, FlowRun } from "./flow-run.ts";
import { runFlow } from "./run-flow.ts";

export interface FlowEngineDeps {
  db: Kysely<FlowDatabase>;
  names: FlowEventNames;
  agent: AgentClient;
  settings: EngineSettings;
  metrics: FlowMetrics;
  logger: Logger;
  onEventQueued: () => void;
}

export interface FlowEngine {
  /** A flow became runnable here (created, resumed, approved, retried): look now, not at the next poll. */
  notify(): void;
  /** Stops claiming, lets each flow in hand finish its batch, releases their leases, then resolves. */
  stop(): Promise<void>;
}

const MAX_BACKOFF_MS = 10_000;
const tracer = trace.getTracer("@migrate/flow-service");

/**
 * Claims runnable flows (at most `concurrency` at once) and works them. Each claim is a lease
 * renewed every lease/3; a crashed replica's flows are claimed again once their lease expires,
 * and resume at their phase's checkpoint.
 */
export function startFlowEngine(deps: FlowEngineDeps): FlowEngine {
  const { settings, logger } = deps;
  if (settings.concurrency === 0) return { notify: () => {}, stop: async () => {} };
  const active = new Map<string, Promise<void>>();
  let stopping = false;
  const { sleep, wake: notify } = wakeableSleep();

  const work = (claimed: ClaimedFlow) => {
    const { trace_carrier: carrier, ...flow } = claimed;
    const controller = new AbortController();
    const heartbeat = setInterval(
      () => {
        renewLease(deps.db, flow.id, settings.instanceId, settings.leaseMs)
          .then((held) => {
            if (!held) controller.abort();
          })
          // A database hiccup is not a lost lease; the next beat or the fence will tell.
          .catch((error) => logger.warn({ err: error, flow_id: flow.id }, "lease renewal failed"));
      },
      Math.max(100, Math.floor(settings.leaseMs / 3)),
    );
    const run: FlowRun = {
      flow,
      tenant: {
        clientAccountId: flow.client_account_id,
        engagementId: flow.engagement_id ?? "",
        userId: flow.created_by,
        requestId: `flow-${flow.id}`,
        roles: [],
      },
      db: deps.db,
      agent: deps.agent,
      names: deps.names,
      settings,
      metrics: deps.metrics,
      logger: logger.child({ flow_id: flow.id, client_account_id: flow.client_account_id }),
      signal: controller.signal,
      stopping: () => stopping,
      onEventQueued: deps.onEventQueued,
    };
    deps.metrics.flowsActive.inc();
    // The run joins the trace of the request that made the flow runnable (created, resumed,
    // approved), so Jaeger shows the phases, agent calls and events under that request.
    const parent = contextFromCarrier(carrier);
    const span = tracer.startSpan("flow.run", { attributes: { "flow.id": flow.id, "flow.phase": flow.phase } }, parent);
    const done = context
      .with(trace.setSpan(parent, span), () => runFlow(run))
      .then((outcome) => {
        span.setAttribute("flow.outcome", outcome);
        deps.metrics.operations.inc({ operation: "run", outcome });
      })
      .catch((error) => {
        recordSpanError(span, error, { fault: true });
        deps.metrics.operations.inc({ operation: "run", outcome: "error" });
        run.logger.error({ err: error }, "flow run ended with an error; its lease will expire and it resumes");
      })
      .finally(() => {
        span.end();
        clearInterval(heartbeat);
        active.delete(flow.id);
        deps.metrics.flowsActive.dec();
        notify();
      });
    active.set(flow.id, done);
  };

  const loop = (async () => {
    let failures = 0;
    while (!stopping) {
      try {
        while (!stopping && active.size < settings.concurrency) {
          const flow = await claimFlow(deps.db, settings.instanceId, settings.leaseMs, [...active.keys()]);
          if (!flow) break;
          logger.info({ flow_id: flow.id, phase: flow.phase }, "flow claimed");
          work(flow);
        }
        failures = 0;
      } catch (error) {
        failures++;
        logger.warn({ err: error, failures }, "claiming flows failed; will retry");
      }
      if (stopping) break;
      await sleep(failures ? Math.min(settings.pollMs * 2 ** failures, MAX_BACKOFF_MS) : settings.pollMs);
    }
  })();

  return {
    notify,
    stop: async () => {
      stopping = true;
      notify();
      await loop;
      await Promise.allSettled([...active.values()]);
    },
  };
}
