export type { FlowPhaseName, FlowStatusName } from "./flow-vocabulary.ts";
export { FLOW_PHASES, FLOW_STATUSES } from "./flow-vocabulary.ts";
