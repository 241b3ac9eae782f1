import { FLOW_STATUSES, type FlowPhaseName, type FlowStatusName } from "@migrate/domain";
import { FlowPhase, FlowStatus } from "@migrate/gen/common/v1/common_pb";

/** `pending` for FLOW_STATUS_PENDING; null when unspecified. */
export function statusName(status: FlowStatus): FlowStatusName | null {
  if (status === FlowStatus.UNSPECIFIED) return null;
  return (FlowStatus[status]?.toLowerCase() as FlowStatusName | undefined) ?? null;
}

/** `data_import` for FLOW_PHASE_DATA_IMPORT; null when unspecified. */
export function phaseName(phase: FlowPhase): FlowPhaseName | null {
  if (phase === FlowPhase.UNSPECIFIED) return null;
  return (FlowPhase[phase]?.toLowerCase() as FlowPhaseName | undefined) ?? null;
}

/** The enum value for a public status name, or undefined for a name the API does not know. */
export function statusFromName(name: string): FlowStatus | undefined {
  if (!(FLOW_STATUSES as readonly string[]).includes(name)) return undefined;
  return FlowStatus[name.toUpperCase() as keyof typeof FlowStatus];
}
