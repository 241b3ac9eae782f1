import { type Client, Code, ConnectError, createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { FlowStatus } from "@migrate/gen/common/v1/common_pb";
import { FlowsService } from "@migrate/gen/gateway/v1/gateway_pb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewayStack, startGatewayStack } from "./support/gateway-stack.ts";

const MAX_UPLOAD = 128 * 1024;
const CSV = new TextEncoder().encode("hostname,cpu_cores,memory_gb\nweb-01,4,16\ndb-01,8,64\n");

let stack: GatewayStack;
beforeAll(async () => {
  stack = await startGatewayStack({ maxUploadBytes: MAX_UPLOAD });
});
afterAll(async () => {
  await stack?.cleanup();
});

/** A Connect client over HTTP/1.1 sending `token` (if any) as a bearer token. */
function flowsClient(token?: string, headers: Record<string, string> = {}): Client<typeof FlowsService> {
  const auth: Interceptor = (next) => (req) => {
    if (token) req.header.set("authorization", `Bearer ${token}`);
    for (const [name, value] of Object.entries(headers)) req.header.set(name, value);
    return next(req);
  };
  return createClient(
    FlowsService,
    createConnectTransport({ baseUrl: stack.gatewayUrl, httpVersion: "1.1", interceptors: [auth] }),
  );
}

async function connectError(promise: Promise<unknown>): Promise<ConnectError> {
  try {
    await promise;
  } catch (error) {
    return ConnectError.from(error);
  }
  throw new Error("expected the call to fail");
}

describe("FlowsService over Connect", () => {
  it("refuses calls without a valid token, naming the reason", async () => {
    const missing = await connectError(flowsClient().listFlows({}));
    expect(missing.code).toBe(Code.Unauthenticated);
    expect(missing.rawMessage).toBe("missing bearer token");
    expect(missing.metadata.get("www-authenticate")).toMatch(/^Bearer /);
    const expired = await connectError(
      flowsClient(await stack.token(stack.tenant("c-auth"), { expiresIn: -60 })).listFlows({}),
    );
    expect(expired.code).toBe(Code.Unauthenticated);
    expect(expired.rawMessage).toBe("token expired");
  });

  it("creates, gets and lists flows", async () => {
    const client = stack.tenant("c-crud");
    const flows = flowsClient(await stack.token(client, { sub: "dave" }));
    const created = await flows.createFlow({ name: "Connect estate", contentType: "text/csv", content: CSV });
    expect(created.flow).toMatchObject({
      clientAccountId: client,
      name: "Connect estate",
      rawRecordCount: 2n,
      sourceFormat: "csv",
      createdBy: "dave",
      columns: ["hostname", "cpu_cores", "memory_gb"],
    });
    const id = created.flow?.id ?? "";
    const json = await flows.createFlow({
      filename: "servers.json",
      content: new TextEncoder().encode('[{"hostname":"a"},{"hostname":"b"},{"hostname":"c"}]'),
    });
    expect(json.flow).toMatchObject({ sourceFormat: "json", rawRecordCount: 3n, sourceFilename: "servers.json" });

    expect((await flows.getFlow({ flowId: id })).flow?.name).toBe("Connect estate");
    const first = await flows.listFlows({ limit: 1 });
    expect(first.flows).toHaveLength(1);
    expect(first.nextCursor).not.toBe("");
    const second = await flows.listFlows({ limit: 1, cursor: first.nextCursor });
    expect(second.flows).toHaveLength(1);
    expect(second.nextCursor).toBe("");
    expect(new Set([first.flows[0]?.id, second.flows[0]?.id])).toEqual(new Set([id, json.flow?.id]));
    const pending = await flows.listFlows({ status: "pending" });
    expect(pending.flows.every((flow) => flow.status === FlowStatus.PENDING)).toBe(true);
  });

  it("answers NOT_FOUND for another tenant's flow exactly as for an unknown one", async () => {
    const owner = flowsClient(await stack.token(stack.tenant("c-owner")));
    const intruder = flowsClient(await stack.token(stack.tenant("c-intruder")));
    const id = (await owner.createFlow({ contentType: "text/csv", content: CSV })).flow?.id ?? "";
    const unknownId = "00000000-0000-4000-8000-000000000000";
    const foreign = await connectError(intruder.getFlow({ flowId: id }));
    const unknown = await connectError(intruder.getFlow({ flowId: unknownId }));
    expect(foreign.code).toBe(Code.NotFound);
    expect(unknown.code).toBe(Code.NotFound);
    expect(foreign.rawMessage.replace(id, "<id>")).toBe(unknown.rawMessage.replace(unknownId, "<id>"));
    expect((await intruder.listFlows({})).flows).toEqual([]);
  });

  it("replays a create with the same idempotency key", async () => {
    const flows = flowsClient(await stack.token(stack.tenant("c-idem")));
    const request = { contentType: "text/csv", content: CSV, idempotencyKey: "connect-key-1" };
    let replayed: string | null = null;
    const first = await flows.createFlow(request);
    const second = await flows.createFlow(request, {
      onHeader: (headers) => {
        replayed = headers.get("idempotent-replayed");
      },
    });
    expect(second.flow?.id).toBe(first.flow?.id);
    expect(replayed).toBe("true");
    expect((await flows.listFlows({})).flows).toHaveLength(1);
  });

  it("maps refusals to Connect codes with the mesh code and details intact", async () => {
    const flows = flowsClient(await stack.token(stack.tenant("c-errors")), { "x-request-id": "connect-req-42" });
    const tooBig = await connectError(
      flows.createFlow({ contentType: "text/csv", content: new Uint8Array(MAX_UPLOAD + 1).fill(0x61) }),
    );
    expect(tooBig.code).toBe(Code.ResourceExhausted);
    expect(tooBig.metadata.get("x-error-code")).toBe("PAYLOAD_TOO_LARGE");
    expect(tooBig.metadata.get("x-request-id")).toBe("connect-req-42");

    const badType = await connectError(flows.createFlow({ contentType: "application/pdf", content: CSV }));
    expect(badType.code).toBe(Code.InvalidArgument);
    expect(badType.metadata.get("x-error-code")).toBe("UNSUPPORTED_MEDIA_TYPE");

    const badRow = await connectError(
      flows.createFlow({ contentType: "text/csv", content: new TextEncoder().encode("a,b\n1,2\n3,4,5\n") }),
    );
    expect(badRow.code).toBe(Code.InvalidArgument);
    expect(JSON.parse(badRow.metadata.get("x-error-details") ?? "{}")).toMatchObject({ row: 2 });

    const badStatus = await connectError(flows.listFlows({ status: "done" }));
    expect(badStatus.code).toBe(Code.InvalidArgument);
    expect(badStatus.rawMessage).toContain("valid: pending, running");
    expect((await flows.listFlows({})).flows).toEqual([]);
  });
});
