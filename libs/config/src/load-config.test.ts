import { describe, expect, it } from "vitest";
import { baseServiceSchema, ConfigError, loadConfig, z } from "./index.ts";

const schema = baseServiceSchema.extend({ GRPC_PORT: z.coerce.number().int().min(1).max(65535).default(50051) });

describe("loadConfig", () => {
  it("applies defaults and coerces numbers", () => {
    const config = loadConfig(schema, { METRICS_PORT: "9091", MESH_SECRET: "k".repeat(32) });
    expect(config).toMatchObject({ METRICS_PORT: 9091, GRPC_PORT: 50051, LOG_LEVEL: "info", BIND_HOST: "127.0.0.1" });
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

  it("refuses to start without a mesh key, or with a short one", () => {
    expect(() => loadConfig(schema, { METRICS_PORT: "9091" })).toThrow(/MESH_SECRET is required/);
    expect(() => loadConfig(schema, { METRICS_PORT: "9091", MESH_SECRET: "short" })).toThrow(
      /MESH_SECRET: must be at least 32 characters/,
    );
  });
});
