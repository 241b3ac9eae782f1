import { EventEmitter } from "node:events";
import { MeshError } from "@migrate/errors";
import { EchoService } from "@migrate/gen/testing/v1/echo_pb";
import { createLogger } from "@migrate/logger";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addService,
  checkHealth,
  createClient,
  createMeshCredentials,
  type GrpcServerHandle,
  startGrpcServer,
  type TenantContext,
} from "./index.ts";

const logger = createLogger({ service: "test", level: "silent" });
const tenant: TenantContext = { clientAccountId: "acme", engagementId: "", userId: "u1", requestId: "r1", roles: [] };
const credentials = createMeshCredentials({ secret: "test-mesh-secret-of-at-least-32-chars", issuer: "test" });
let server: GrpcServerHandle;

beforeAll(async () => {
  server = await startGrpcServer({
    host: "127.0.0.1",
    port: 0,
    serviceNames: [EchoService.typeName],
    register: (s) =>
      addService(
        s,
        EchoService,
        {
          echo: async (request, ctx) => {
            if (request.text === "invalid")
              throw new MeshError("INVALID_ARGUMENT", "bad row", { row: 3, column: "RAM" });
            if (request.text === "crash") throw new Error("secret internals");
            return { text: request.text, clientAccountId: ctx.tenant.clientAccountId };
          },
          collect: async (requests) => {
            const texts: string[] = [];
            for await (const request of requests) texts.push(request.text);
            return { texts };
          },
          repeat: async function* (request) {
            for (let index = 0; index < request.times; index++) yield { text: request.text, index };
          },
          chat: async function* (requests) {
            let index = 0;
            for await (const request of requests) {
              if (request.text === "invalid") throw new MeshError("INVALID_ARGUMENT", "bad chunk", { chunk: index });
              yield { text: request.text.toUpperCase(), index: index++ };
            }
          },
        },
        logger,
        { credentials },
      ),
  });
});
afterAll(() => server.shutdown(1_000));

describe("grpc adapter", () => {
  it("round-trips protobuf-es messages with the tenant context", async () => {
    const { client, close } = createClient(EchoService, `dns:///127.0.0.1:${server.port}`, { credentials });
    expect(await client.echo({ text: "hi" }, { tenant })).toMatchObject({ text: "hi", clientAccountId: "acme" });
    close();
  });

  it("streams in both directions", async () => {
    const { client, close } = createClient(EchoService, `127.0.0.1:${server.port}`, { credentials });
    const collected = await client.collect(
      (async function* () {
        for (const text of ["a", "b", "c"]) yield { text };
      })(),
      { tenant },
    );
    expect(collected.texts).toEqual(["a", "b", "c"]);
    const repeated: number[] = [];
    for await (const item of client.repeat({ text: "x", times: 4 }, { tenant })) repeated.push(item.index);
    expect(repeated).toEqual([0, 1, 2, 3]);
    close();
  });

  it("streams both ways in one call: answers arrive while requests are still being sent", async () => {
    const { client, close } = createClient(EchoService, `127.0.0.1:${server.port}`, { credentials });
    let answered = 0;
    const sent: number[] = [];
    const answers: string[] = [];
    const requests = async function* () {
      for (const text of ["a", "b", "c"]) {
        sent.push(answered);
        yield { text };
        // The next request waits for the answer to this one: a call that buffered the whole
        // request stream before answering would never get here.
        while (answered < sent.length) await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    for await (const answer of client.chat(requests(), { tenant })) {
      answers.push(`${answer.index}:${answer.text}`);
      answered++;
    }
    expect(answers).toEqual(["0:A", "1:B", "2:C"]);

    const refused = await (async () => {
      for await (const _ of client.chat([{ text: "ok" }, { text: "invalid" }], { tenant })) {
      }
    })().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(MeshError);
    expect(refused).toMatchObject({ code: "INVALID_ARGUMENT", details: { chunk: 1 } });

    const failing = async function* () {
      yield { text: "a" };
      throw new Error("the source of the requests failed");
    };
    const lost = await (async () => {
      for await (const _ of client.chat(failing(), { tenant })) {
      }
    })().catch((error: unknown) => error);
    expect((lost as Error).message).toBe("the source of the requests failed");
    close();
  });

  it("refuses a call without tenant context", async () => {
    const { client, close } = createClient(EchoService, `127.0.0.1:${server.port}`, { credentials });
    await expect(client.echo({ text: "hi" }, {})).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    close();
  });

  it("carries MeshError code and details across the wire, and hides internals", async () => {
    const { client, close } = createClient(EchoService, `127.0.0.1:${server.port}`, { credentials });
    await expect(client.echo({ text: "invalid" }, { tenant })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
      message: "bad row",
      details: { row: 3, column: "RAM" },
    });
    await expect(client.echo({ text: "crash" }, { tenant })).rejects.toMatchObject({
      code: "INTERNAL",
      message: "internal error",
    });
    close();
  });

  it("answers grpc.health.v1 and reports an unreachable target", async () => {
    expect(await checkHealth(`127.0.0.1:${server.port}`)).toBe("SERVING");
    expect(await checkHealth(`127.0.0.1:${server.port}`, EchoService.typeName)).toBe("SERVING");
    expect(await checkHealth("127.0.0.1:1", "", 300)).toBe("UNREACHABLE");
  });

  it("lets go of finished calls: a long-lived abort signal keeps no listener per call", async () => {
    const { client, close } = createClient(EchoService, `127.0.0.1:${server.port}`, { credentials });
    const flowLifetime = new AbortController();
    for (let i = 0; i < 20; i++) await client.echo({ text: `call ${i}` }, { tenant, signal: flowLifetime.signal });
    await client.collect([{ text: "a" }], { tenant, signal: flowLifetime.signal });
    for await (const _ of client.repeat({ text: "x", times: 2 }, { tenant, signal: flowLifetime.signal })) {
      // drain
    }
    expect(EventEmitter.getEventListeners(flowLifetime.signal, "abort")).toHaveLength(0);
    close();
  });

  it("fails a call with UNAVAILABLE, not a hang, when nothing listens", async () => {
    const { client, close } = createClient(EchoService, "127.0.0.1:1", {
      credentials,
      defaultTimeoutMs: 2_000,
      maxAttempts: 1,
    });
    await expect(client.echo({ text: "hi" }, { tenant })).rejects.toMatchObject({ code: "UNAVAILABLE" });
    close();
  });

  it("refuses to serve a service with a method left unimplemented", async () => {
    const grpc = await import("@grpc/grpc-js");
    expect(() =>
      addService(new grpc.Server(), EchoService, { echo: async () => ({}) } as never, logger, { credentials }),
    ).toThrow(/has no handler/);
  });
});
