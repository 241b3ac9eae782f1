import { toJson } from "@bufbuild/protobuf";
import { StructSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import { MeshError } from "@migrate/errors";
import { createLogger } from "@migrate/logger";
import { describe, expect, it } from "vitest";
import { toConnectError } from "./to-connect-error.ts";

const logger = createLogger({ service: "test", level: "silent" });

describe("toConnectError", () => {
  it("keeps the code, message and row/column details of a MeshError", () => {
    const error = toConnectError(
      new MeshError("INVALID_ARGUMENT", "row 7: cpu_cores is not a number", {
        row: 7,
        column: "cpu_cores",
        value: "x",
      }),
      logger,
    );
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.rawMessage).toBe("row 7: cpu_cores is not a number");
    expect(error.metadata.get("x-error-code")).toBe("INVALID_ARGUMENT");
    expect(JSON.parse(error.metadata.get("x-error-details") ?? "{}")).toEqual({
      row: 7,
      column: "cpu_cores",
      value: "x",
    });
    const [detail] = error.findDetails(StructSchema);
    expect(detail && toJson(StructSchema, detail)).toEqual({
      code: "INVALID_ARGUMENT",
      row: 7,
      column: "cpu_cores",
      value: "x",
    });
  });

  it.each([
    ["NOT_FOUND", Code.NotFound],
    ["UNAUTHENTICATED", Code.Unauthenticated],
    ["PAYLOAD_TOO_LARGE", Code.ResourceExhausted],
    ["RATE_LIMITED", Code.ResourceExhausted],
    ["CONFLICT", Code.AlreadyExists],
    ["UNAVAILABLE", Code.Unavailable],
    ["UNSUPPORTED_MEDIA_TYPE", Code.InvalidArgument],
  ] as const)("maps %s to the matching Connect code", (code, expected) => {
    expect(toConnectError(new MeshError(code, "x"), logger).code).toBe(expected);
  });

  it("hides anything that is not a MeshError behind a bare internal error", () => {
    const error = toConnectError(new Error("connection string postgres://secret@db"), logger);
    expect(error).toBeInstanceOf(ConnectError);
    expect(error.code).toBe(Code.Internal);
    expect(error.rawMessage).toBe("internal error");
  });
});
