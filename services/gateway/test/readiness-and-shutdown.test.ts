import { Agent, request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewayStack, startGatewayStack } from "./support/gateway-stack.ts";

let stack: GatewayStack;
beforeAll(async () => {
  stack = await startGatewayStack();
});
afterAll(async () => {
  await stack?.cleanup();
});

interface Readiness {
  status: number;
  body: { status: string; not_ready: string[]; checks: Record<string, string> };
}

async function readyz(): Promise<Readiness> {
  const res = await fetch(`${stack.gatewayUrl}/readyz`);
  return { status: res.status, body: (await res.json()) as Readiness["body"] };
}

/** A create whose body keeps arriving for `bodyMs`; resolves with the answer's status and body. */
function slowUpload(token: string, bodyMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(`${stack.gatewayUrl}/v1/flows?name=slow`),
      {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "text/csv", "transfer-encoding": "chunked" },
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8").on("data", (text: string) => {
          body += text;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.write("hostname,cores\nweb-01,4\n");
    setTimeout(() => req.end("web-02,8\n"), bodyMs);
  });
}

describe("health and readiness", () => {
  it("is ready when flow, agent, learning, telemetry and Redis all are", async () => {
    const res = await readyz();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      status: "ready",
      checks: { flow: "SERVING", agent: "SERVING", learning: "SERVING", telemetry: "SERVING", redis: "ok" },
      not_ready: [],
    });
  });
});

describe("graceful shutdown", () => {
  it("keeps an idle keep-alive connection open past a client's pause, so its next request is not reset", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<{ status: number; reused: boolean }>((resolve, reject) => {
        const req = request(new URL(`${stack.gatewayUrl}/healthz`), { agent }, (res) => {
          res.resume().on("end", () => resolve({ status: res.statusCode ?? 0, reused: req.reusedSocket }));
        });
        req.on("error", reject).end();
      });
    try {
      expect(await get()).toEqual({ status: 200, reused: false });
      // Longer than Node's default 5 s keep-alive timeout, which closed the socket under the client.
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      expect(await get()).toEqual({ status: 200, reused: true });
    } finally {
      agent.destroy();
    }
  }, 20_000);

  it("at SIGTERM reports not ready while still answering for the drain (1 s here), finishes an upload in flight, then refuses new connections and exits 0", async () => {
    const token = await stack.token(stack.tenant("drain"));
    const inFlight = slowUpload(token, 2_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const stopped = stack.stopGateway();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const draining = await readyz();
    expect(draining.status).toBe(503);
    expect(draining.body.checks.gateway).toBe("draining");
    const health = await fetch(`${stack.gatewayUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(health.headers.get("connection")).toBe("close");
    // Past the drain: no longer listening, while the upload still arrives.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await expect(fetch(`${stack.gatewayUrl}/healthz`)).rejects.toThrow();
    const answer = await inFlight;
    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.body).flow).toMatchObject({ name: "slow", raw_record_count: 2 });
    const { code, ms } = await stopped;
    expect(code).toBe(0);
    // It waited for the upload (about 1.7 s more) but no longer than its budget.
    expect(ms).toBeGreaterThan(1_500);
    expect(ms).toBeLessThan(8_000);
    await stack.restartGateway();
  });
});

describe("readiness with a downstream gone", () => {
  it("answers 503 naming the stopped downstreams, while /healthz stays 200", async () => {
    await stack.standIns.telemetry.shutdown(500);
    const withoutTelemetry = await readyz();
    expect(withoutTelemetry.status).toBe(503);
    expect(withoutTelemetry.body.status).toBe("not_ready");
    expect(withoutTelemetry.body.not_ready).toEqual(["telemetry"]);

    await stack.flow.stop();
    const withoutFlow = await readyz();
    expect(withoutFlow.status).toBe(503);
    expect(withoutFlow.body.not_ready).toEqual(["flow", "telemetry"]);
    expect(withoutFlow.body.checks.flow).not.toBe("SERVING");
    expect((await fetch(`${stack.gatewayUrl}/healthz`)).status).toBe(200);
  });

  it("reports a flow call during the outage as UNAVAILABLE (503)", async () => {
    const token = await stack.token(stack.tenant("down"));
    const list = await fetch(`${stack.gatewayUrl}/v1/flows`, { headers: { authorization: `Bearer ${token}` } });
    expect(list.status).toBe(503);
    expect(((await list.json()) as { error: { code: string } }).error.code).toBe("UNAVAILABLE");
  });
});
