import { FlowStatus } from "@migrate/gen/common/v1/common_pb";
import { describe, expect, it } from "vitest";
import { DEFAULT_LIST_LIMIT, parseListOptions } from "./list-options.ts";

describe("parseListOptions", () => {
  it("defaults to every status, a limit of 50 and no cursor", () => {
    expect(parseListOptions({})).toEqual({ status: FlowStatus.UNSPECIFIED, limit: DEFAULT_LIST_LIMIT, cursor: "" });
    expect(parseListOptions({ status: "", limit: 0, cursor: "" }).limit).toBe(DEFAULT_LIST_LIMIT);
  });

  it("maps public status names onto the enum", () => {
    expect(parseListOptions({ status: "awaiting_input" }).status).toBe(FlowStatus.AWAITING_INPUT);
    expect(parseListOptions({ status: "pending", limit: "200", cursor: "abc" })).toEqual({
      status: FlowStatus.PENDING,
      limit: 200,
      cursor: "abc",
    });
  });

  it("rejects an unknown status, listing the valid ones", () => {
    expect(() => parseListOptions({ status: "PENDING" })).toThrow(
      'unknown status "PENDING"; valid: pending, running, awaiting_input, paused, completed, failed, cancelled',
    );
    try {
      parseListOptions({ status: "done" });
    } catch (error) {
      expect(error).toMatchObject({ code: "INVALID_ARGUMENT", details: { field: "status", value: "done" } });
    }
  });

  it.each(["0", "201", "-1", "1.5", "ten", 500])("rejects limit %s", (limit) => {
    expect(() => parseListOptions({ limit })).toThrow("limit must be an integer from 1 to 200");
  });
});
