import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { EchoService } from "@migrate/gen/testing/v1/echo_pb";
import { createLogger } from "@migrate/logger";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addService,
  createClient,
  createMeshCredentials,
  type GrpcServerHandle,
  grpcServiceDefinition,
  MESH_TOKEN_METADATA,
  startGrpcServer,
  type TenantContext,
} from "./index.ts";

const SECRET = "mesh-secret-for-tests-0123456789abcdef";
const credentials = createMeshCredentials({ secret: SECRET, issuer: "test" });
const acme: TenantContext = { clientAccountId: "acme", engagementId: "e1", userId: "u1", requestId: "r1", roles: [] };
let server: GrpcServerHandle;

beforeAll(async () => {
  server = await startGrpcServer({
    port: 0,
    serviceNames: [EchoService.typeName],
    register: (s) =>
      addService(
        s,
        EchoService,
        {
          // Answers what the server believes: the verified tenant, and its roles in `text`.
          echo: async (_request, ctx) => ({
            text: ctx.tenant.roles.join(","),
            clientAccountId: ctx.tenant.clientAccountId,
          }),
          collect: async () => ({ texts: [] }),
          repeat: async function* () {},
          chat: async function* () {},
        },
        createLogger({ service: "test", level: "silent" }),
        { credentials },
      ),
  });
});
afterAll(() => server.shutdown(1_000));

/** A raw grpc-js call with exactly `metadata`: what any process reaching the port can send. */
function rawEcho(metadata: grpc.Metadata): Promise<{ code: number; details: string }> {
  const definition = grpcServiceDefinition(EchoService).echo;
  if (!definition) throw new Error("EchoService has no echo");
  const channel = new grpc.Client(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
  return new Promise((resolve) => {
    channel.makeUnaryRequest(
      definition.path,
      definition.requestSerialize,
      definition.responseDeserialize,
      create(EchoService.method.echo.input, { text: "x" }),
      metadata,
      { deadline: Date.now() + 5_000 },
      (error) => {
        channel.close();
        resolve({ code: error?.code ?? grpc.status.OK, details: error?.details ?? "" });
      },
    );
  });
}

async function token(claims: Record<string, unknown>, secret = SECRET, expiresIn = "5m"): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("u1")
    .setAudience("migrate-mesh")
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}

describe("service-to-service trust", () => {
  it("serves the tenant and roles the mesh signed", async () => {
    const { client, close } = createClient(EchoService, `127.0.0.1:${server.port}`, { credentials });
    const answer = await client.echo({ text: "" }, { tenant: { ...acme, roles: ["admin"] } });
    expect(answer).toMatchObject({ clientAccountId: "acme", text: "admin" });
    close();
  });

  it("refuses a tenant and roles asserted in plain metadata, as the review reproduced", async () => {
    const md = new grpc.Metadata();
    md.set("x-client-account-id", "victim");
    md.set("x-roles", "admin");
    const answer = await rawEcho(md);
    expect(answer.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(answer.details).toBe("missing mesh credentials (x-mesh-token)");
  });

  it("refuses a token signed with another key, an expired one, a forged algorithm and garbage", async () => {
    const claims = { cat: "victim", eng: "", roles: ["admin"] };
    const unsigned = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from(
      JSON.stringify({ ...claims, sub: "u1", aud: "migrate-mesh", exp: Math.floor(Date.now() / 1_000) + 60 }),
    ).toString("base64url")}.`;
    for (const bad of [
      await token(claims, "another-secret-of-at-least-32-characters"),
      await token(claims, SECRET, "-1m"),
      unsigned,
      "not a token",
      "a".repeat(2_000),
    ]) {
      const md = new grpc.Metadata();
      md.set(MESH_TOKEN_METADATA, bad);
      const answer = await rawEcho(md);
      expect(answer.code).toBe(grpc.status.UNAUTHENTICATED);
      expect(answer.details).toBe("invalid mesh credentials");
    }
  });

  it("refuses a validly signed token whose tenant is malformed", async () => {
    const md = new grpc.Metadata();
    md.set(MESH_TOKEN_METADATA, await token({ cat: "../other", eng: "", roles: [] }));
    expect((await rawEcho(md)).code).toBe(grpc.status.UNAUTHENTICATED);
  });

  it("signs once per tenant and reuses the token for later calls", async () => {
    const first = await credentials.sign(acme);
    expect(await credentials.sign({ ...acme, requestId: "another request" })).toBe(first);
    expect(await credentials.sign({ ...acme, clientAccountId: "other" })).not.toBe(first);
  });

  it("will not start with a short key", () => {
    expect(() => createMeshCredentials({ secret: "short", issuer: "test" })).toThrow(/at least 32 characters/);
  });
});
