import { type Flow, FlowSchema } from "@migrate/gen/flow/v1/flow_pb";
import { restJson } from "./rest-json.ts";

/**
 * A flow as the REST API shows it: snake_case, status and phase (also each phase's) as
 * lowercase names, counts as numbers, and `engagement_id` null when the flow has none.
 */
export function flowJson(flow: Flow) {
  return { ...restJson(FlowSchema, flow), engagement_id: flow.engagementId || null };
}
