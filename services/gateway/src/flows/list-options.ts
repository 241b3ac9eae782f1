import { FLOW_STATUSES } from "@migrate/domain";
import { MeshError } from "@migrate/errors";
import { FlowStatus } from "@migrate/gen/common/v1/common_pb";
import { statusFromName } from "./flow-enums.ts";

export const DEFAULT_LIST_LIMIT = 50;
export const MAX_LIST_LIMIT = 200;

export interface ListOptions {
  status: FlowStatus;
  limit: number;
  cursor: string;
}

/**
 * Validates a list request as it arrives from REST (strings) or Connect (0 and "" for absent);
 * an unknown status or an out-of-range limit is INVALID_ARGUMENT naming what is accepted.
 */
export function parseListOptions(input: {
  status?: string | null;
  limit?: string | number | null;
  cursor?: string | null;
}): ListOptions {
  let status: FlowStatus = FlowStatus.UNSPECIFIED;
  if (input.status) {
    const parsed = statusFromName(input.status);
    if (parsed === undefined) {
      throw new MeshError("INVALID_ARGUMENT", `unknown status "${input.status}"; valid: ${FLOW_STATUSES.join(", ")}`, {
        field: "status",
        value: input.status,
        valid: [...FLOW_STATUSES],
      });
    }
    status = parsed;
  }
  let limit = DEFAULT_LIST_LIMIT;
  if (input.limit !== undefined && input.limit !== null && input.limit !== "" && input.limit !== 0) {
    const raw = String(input.limit);
    const parsed = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isInteger(parsed) || parsed < 1 || parsed > MAX_LIST_LIMIT) {
      throw new MeshError("INVALID_ARGUMENT", `limit must be an integer from 1 to ${MAX_LIST_LIMIT}`, {
        field: "limit",
        value: raw,
      });
    }
    limit = parsed;
  }
  return { status, limit, cursor: input.cursor ?? "" };
}
