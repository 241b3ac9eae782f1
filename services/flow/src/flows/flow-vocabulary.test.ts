import { FLOW_PHASES, FLOW_STATUSES } from "@migrate/domain";
import { FlowPhase, FlowStatus } from "@migrate/gen/common/v1/common_pb";
import { describe, expect, it } from "vitest";
import { phaseToProto, statusFromProto, statusToProto } from "./flow-vocabulary.ts";

describe("flow vocabulary", () => {
  it("maps every stored status and phase onto the proto enums and back", () => {
    for (const status of FLOW_STATUSES) {
      expect(statusToProto(status)).not.toBe(FlowStatus.UNSPECIFIED);
      expect(statusFromProto(statusToProto(status))).toBe(status);
    }
    for (const phase of FLOW_PHASES) expect(phaseToProto(phase)).not.toBe(FlowPhase.UNSPECIFIED);
    expect(statusToProto("awaiting_input")).toBe(FlowStatus.AWAITING_INPUT);
    expect(phaseToProto("data_import")).toBe(FlowPhase.DATA_IMPORT);
  });

  it("treats UNSPECIFIED and unknown numbers as no status", () => {
    expect(statusFromProto(FlowStatus.UNSPECIFIED)).toBeUndefined();
    expect(statusFromProto(99 as FlowStatus)).toBeUndefined();
  });
});
