/**
 * The JSON envelope of every flow event (the fields of migrate.common.v1.FlowEvent, with `phase`
 * as its lowercase name and the payload as an object). `event_id` is also the Nats-Msg-Id.
 */
export interface FlowEventEnvelope {
  event_id: string;
  type: string;
  flow_id: string;
  client_account_id: string;
  engagement_id: string;
  phase: string;
  progress: number;
  occurred_at: string;
  payload: Record<string, unknown>;
}

/** Where flow events live: the JetStream stream and its subject space (DESIGN.md section 4). */
export interface FlowEventNames {
  stream: string;
  /** The wildcard the stream captures, e.g. `migrate.flow.v1.>`. */
  subjects: string;
  /** `<prefix>.<client_account_id>.<flow_id>.<type>`. */
  subject(clientAccountId: string, flowId: string, type: string): string;
  /** Every event of one tenant's flow, for a live watcher. */
  flowFilter(clientAccountId: string, flowId: string): string;
}

/**
 * Production uses the defaults (`FLOW_EVENTS`, `migrate.flow.v1`); a test run passes its own
 * stream and prefix so parallel runs never see each other's events.
 */
export function flowEventNames(options: { stream?: string; subjectPrefix?: string } = {}): FlowEventNames {
  const stream = options.stream || "FLOW_EVENTS";
  const prefix = options.subjectPrefix || "migrate.flow.v1";
  return {
    stream,
    subjects: `${prefix}.>`,
    subject: (clientAccountId, flowId, type) => `${prefix}.${token(clientAccountId)}.${token(flowId)}.${type}`,
    flowFilter: (clientAccountId, flowId) => `${prefix}.${token(clientAccountId)}.${token(flowId)}.>`,
  };
}

// Subject tokens cannot hold spaces, dots or wildcards; tenant ids are validated upstream, this is a guard.
function token(value: string): string {
  return value.replace(/[\s.*>]/g, "_");
}
