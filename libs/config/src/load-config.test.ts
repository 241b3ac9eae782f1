import { describe, expect, it } from "vitest";
import { baseServiceSchema, ConfigError, loadConfig, z } from "./index.ts";

const schema = baseServiceSchema.extend({ GRPC_PORT: z.coerce.number().int().min(1).max(65535).default(50051) });

describe("loadConfig", () => {
  it("applies defaults and coerces numbers", () => {
    const config = loadConfig(schema, { METRICS_PORT: "9091" });
    expect(config).toMatchObject({ METRICS_PORT: 9091, GRPC_PORT: 50051, LOG_LEVEL: "info" });
  });

  it("fails fast naming every bad variable", () => {
    let error: unknown;
    try {
      loadConfig(schema, { GRPC_PORT: "not-a-port", LOG_LEVEL: "loud" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain("METRICS_PORT is required");
    expect(message).toContain("GRPC_PORT");
    expect(message).toContain("LOG_LEVEL");
  });
});
