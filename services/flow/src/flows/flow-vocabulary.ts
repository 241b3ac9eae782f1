import { type FlowPhase, FlowPhaseSchema, type FlowStatus, FlowStatusSchema } from "@migrate/gen/common/v1/common_pb";

// Stored as lowercase text ("awaiting_input"), exchanged as the proto enum (FLOW_STATUS_AWAITING_INPUT).
const statusNumbers = new Map(FlowStatusSchema.values.map((v) => [v.localName.toLowerCase(), v.number]));
const phaseNumbers = new Map(FlowPhaseSchema.values.map((v) => [v.localName.toLowerCase(), v.number]));
const statusNames = new Map([...statusNumbers].map(([name, number]) => [number, name]));

export function statusToProto(name: string): FlowStatus {
  return (statusNumbers.get(name) ?? 0) as FlowStatus;
}

export function phaseToProto(name: string): FlowPhase {
  return (phaseNumbers.get(name) ?? 0) as FlowPhase;
}

/** The stored name of a status; undefined for UNSPECIFIED or a number this build does not know. */
export function statusFromProto(value: FlowStatus): string | undefined {
  return value === 0 ? undefined : statusNames.get(value);
}
