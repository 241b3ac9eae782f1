import { MeshError } from "@migrate/errors";
import { FlowsService } from "@migrate/gen/gateway/v1/gateway_pb";
import { LearningService } from "@migrate/gen/gateway/v1/learning_pb";
import { UsageService } from "@migrate/gen/gateway/v1/usage_pb";
import type { TenantContext } from "@migrate/grpc";
import { describe, expect, it } from "vitest";
import { canWrite, isReadMethod, isReadRpc, requireWriter } from "./permissions.ts";

const tenant = (roles: string[]): TenantContext => ({
  clientAccountId: "acme",
  engagementId: "",
  userId: "u",
  requestId: "r",
  roles,
});

describe("the role model", () => {
  it("lets analysts and admins write; viewers, unknown roles and no role only read", () => {
    expect(canWrite(["analyst"])).toBe(true);
    expect(canWrite(["viewer", "admin"])).toBe(true);
    for (const roles of [["viewer"], [], ["auditor"], ["Analyst"]]) expect(canWrite(roles)).toBe(false);
    const error = (() => {
      try {
        requireWriter(tenant(["viewer"]));
      } catch (caught) {
        return caught as MeshError;
      }
      throw new Error("expected PERMISSION_DENIED");
    })();
    expect(error).toBeInstanceOf(MeshError);
    expect(error.code).toBe("PERMISSION_DENIED");
    expect(error.message).toContain("needs the analyst or admin role; the token's roles (viewer) only read");
    expect(error.details).toEqual({ roles: ["analyst", "admin"] });
  });

  it("reads REST GET and HEAD; every other method writes", () => {
    expect(isReadMethod("GET")).toBe(true);
    expect(isReadMethod("HEAD")).toBe(true);
    for (const method of ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", undefined])
      expect(isReadMethod(method)).toBe(false);
  });

  it("classifies every Connect method: Get/List/Watch/Export read, the rest write", () => {
    const writes: string[] = [];
    for (const service of [FlowsService, UsageService, LearningService]) {
      for (const method of service.methods) {
        const reads = isReadRpc(service.typeName, method.name);
        expect(reads, method.name).toBe(/^(Get|List|Watch|Export)/.test(method.name));
        if (!reads) writes.push(method.name);
      }
    }
    expect(writes.sort()).toEqual(
      [
        "ApproveMappings",
        "CancelFlow",
        "CreateFlow",
        "DeletePattern",
        "PauseFlow",
        "ResumeFlow",
        "RetryFlow",
        "SetBudget",
        "SetPricing",
        "SubmitCorrections",
      ].sort(),
    );
    expect(isReadRpc("migrate.gateway.v1.FlowsService", "SomethingNew")).toBe(false);
  });
});
