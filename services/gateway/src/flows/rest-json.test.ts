import { create } from "@bufbuild/protobuf";
import { AssetSchema } from "@migrate/gen/agent/v1/agent_pb";
import { FlowPhase, FlowStatus } from "@migrate/gen/common/v1/common_pb";
import { FlowSchema, PhaseStateSchema } from "@migrate/gen/flow/v1/flow_pb";
import { describe, expect, it } from "vitest";
import { flowJson } from "./flow-json.ts";
import { restJson } from "./rest-json.ts";

describe("restJson", () => {
  it("uses proto names, numbers for int64, null for unset optionals, maps as objects", () => {
    const asset = create(AssetSchema, {
      rowNumber: 7n,
      hostname: "web-01",
      ipAddresses: ["10.0.0.1"],
      cpuCores: 4,
      tags: { team: "payments" },
    });
    const json = restJson(AssetSchema, asset);
    expect(json).toMatchObject({
      row_number: 7,
      hostname: "web-01",
      ip_addresses: ["10.0.0.1"],
      cpu_cores: 4,
      memory_gb: null,
      tags: { team: "payments" },
      external_id: "",
    });
  });

  it("shows enums, nested ones included, as lowercase names and unspecified as null", () => {
    const flow = create(FlowSchema, {
      id: "f1",
      status: FlowStatus.AWAITING_INPUT,
      phase: FlowPhase.UNSPECIFIED,
      rawRecordCount: 10_100n,
      phases: [create(PhaseStateSchema, { phase: FlowPhase.DATA_IMPORT, status: "completed", total: 5n })],
    });
    expect(flowJson(flow)).toMatchObject({
      status: "awaiting_input",
      phase: null,
      raw_record_count: 10_100,
      engagement_id: null,
      phases: [{ phase: "data_import", status: "completed", total: 5 }],
    });
  });
});
