/**
 * One trace across the whole mesh, as an operator sees it in Jaeger: the five services run as
 * real processes exporting OTLP (http/protobuf) to a receiver on loopback; one `POST /v1/flows`
 * with a known `traceparent` must come back as a single trace from the gateway through the flow
 * service, its engine's phases and batches, the agent and its learning lookups, the database and
 * NATS to the telemetry consumer, with correct parent links; the logs of each service must carry that trace id; and
 * when a phase fails (the agent is stopped), the failure must be marked on the phase span.
 */
import { randomBytes } from "node:crypto";
import { dropMeshState, freePortBase, type Mesh, startMesh } from "@migrate/launcher";
import { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from "@migrate/telemetry/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signDevToken } from "../../gateway/src/auth/dev-token.ts";

const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;
const CONSUMER = 5;
const ERROR = 2;

const SERVICES = ["migrate-gateway", "migrate-flow", "migrate-agent", "migrate-learning", "migrate-telemetry"];

const newTraceId = () => randomBytes(16).toString("hex");
const newSpanId = () => randomBytes(8).toString("hex");
const inventory = [
  "Server Name,IP Address,OS,RAM (MB)",
  ...Array.from({ length: 6 }, (_, i) => `srv-${i},10.0.0.${i + 1},RHEL 8,${4096 * (i + 1)}`),
].join("\n");

let receiver: OtlpReceiver;
let mesh: Mesh;
let token: string;
const lines: string[] = [];
const client = `trace_${randomBytes(4).toString("hex")}`;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  mesh = await startMesh({
    isolate: true,
    portBase: await freePortBase(),
    env: { LOG_LEVEL: "debug", OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: "200" },
    // Small batches: several `flow.batch` spans per phase. Few attempts: the failure case is quick.
    serviceEnv: { flow: { FLOW_BATCH_SIZE: "2", AGENT_CALL_ATTEMPTS: "2" } },
    onLine: (line) => lines.push(line),
  });
  token = await signDevToken({ client, sub: "tracer", roles: ["analyst"], secret: mesh.jwtSecret, expiresIn: "10m" });
});

afterAll(async () => {
  await mesh?.stop();
  await receiver?.close();
  if (mesh) await dropMeshState(mesh);
});

/** Creates a flow through the gateway as a browser continuing `traceId` would, and waits for its end. */
async function runFlow(
  traceId: string,
  callerSpanId: string,
  until: string[],
): Promise<{ id: string; status: string }> {
  const form = new FormData();
  form.set("name", "traced estate");
  form.set("file", new Blob([inventory], { type: "text/csv" }), "inventory.csv");
  const created = await fetch(`${mesh.gatewayUrl}/v1/flows`, {
    method: "POST",
    body: form,
    headers: { authorization: `Bearer ${token}`, traceparent: `00-${traceId}-${callerSpanId}-01` },
  });
  expect(created.status).toBe(201);
  const { flow } = (await created.json()) as { flow: { id: string } };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const response = await fetch(`${mesh.gatewayUrl}/v1/flows/${flow.id}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const { flow: current } = (await response.json()) as { flow: { status: string } };
    if (until.includes(current.status)) return { id: flow.id, status: current.status };
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`flow ${flow.id} did not reach ${until.join("/")}`);
}

const serviceOf = (span: ReceivedSpan) => String(span.resource["service.name"]);
const isPg = (span: ReceivedSpan) => span.attributes["db.system"] === "postgresql" || span.name.startsWith("pg.");

/** The spans of `traceId` once the flow's run has ended and every event it published was consumed. */
function settledTrace(traceId: string): Promise<ReceivedSpan[]> {
  return receiver
    .waitFor((spans) => {
      const trace = spans.filter((span) => span.traceId === traceId);
      const produced = trace.filter((span) => span.kind === PRODUCER).length;
      const consumed = trace.filter((span) => span.kind === CONSUMER).length;
      return trace.some((span) => span.name === "flow.run") && produced > 0 && consumed >= produced;
    }, 30_000)
    .then((spans) => spans.filter((span) => span.traceId === traceId));
}

describe("one trace across the mesh", () => {
  const traceId = newTraceId();
  const callerSpanId = newSpanId();
  let trace: ReceivedSpan[] = [];
  let byId = new Map<string, ReceivedSpan>();
  const parentOf = (span: ReceivedSpan) => byId.get(span.parentSpanId);

  beforeAll(async () => {
    const flow = await runFlow(traceId, callerSpanId, ["completed", "failed", "awaiting_input"]);
    expect(flow.status).toBe("completed");
    trace = await settledTrace(traceId);
    byId = new Map(trace.map((span) => [span.spanId, span]));
  }, 120_000);

  it("continues the caller's traceparent in every service, NATS included", () => {
    const services = new Set(trace.map(serviceOf));
    for (const name of SERVICES) expect(services, name).toContain(name);
    const entry = trace.filter((span) => span.parentSpanId === callerSpanId);
    expect(entry).toHaveLength(1);
    expect(entry[0]).toMatchObject({ kind: SERVER, resource: { "service.name": "migrate-gateway" } });
  });

  it("links every span to a parent in the trace (no orphans, no second root)", () => {
    const orphans = trace.filter((span) => span.parentSpanId !== callerSpanId && !byId.has(span.parentSpanId));
    expect(orphans.map((span) => `${serviceOf(span)} ${span.name}`)).toEqual([]);
  });

  it("nests each hop under its caller: gateway → flow → engine → agent → learning, flow → NATS → telemetry", () => {
    const createServer = trace.find(
      (span) => serviceOf(span) === "migrate-flow" && span.kind === SERVER && span.name.endsWith("CreateFlow"),
    );
    expect(createServer && parentOf(createServer)).toMatchObject({
      kind: CLIENT,
      resource: { "service.name": "migrate-gateway" },
    });

    const run = trace.find((span) => span.name === "flow.run");
    expect(run?.attributes["flow.outcome"]).toBe("completed");
    const phases = trace.filter((span) => span.name.startsWith("flow.phase "));
    expect(phases.length).toBeGreaterThanOrEqual(5);
    for (const phase of phases) expect(phase.parentSpanId).toBe(run?.spanId);

    // Six records in batches of two: three batch spans in each batched phase, with their counts.
    const validation = phases.find((span) => span.name === "flow.phase data_validation");
    const batches = trace.filter((span) => span.name === "flow.batch" && span.parentSpanId === validation?.spanId);
    expect(batches.map((span) => span.attributes["flow.batch.records"])).toEqual([2, 2, 2]);
    for (const batch of batches) expect(batch.attributes["flow.batch.issues"]).toEqual(expect.any(Number));

    const agentServers = trace.filter((span) => serviceOf(span) === "migrate-agent" && span.kind === SERVER);
    expect(agentServers.length).toBeGreaterThanOrEqual(5);
    for (const server of agentServers) {
      const caller = parentOf(server);
      expect(caller).toMatchObject({ kind: CLIENT, resource: { "service.name": "migrate-flow" } });
      expect(["flow.batch", "flow.phase"].some((name) => parentOf(caller as ReceivedSpan)?.name.startsWith(name))).toBe(
        true,
      );
    }
    // MapFields asks learning for the tenant's learned hints: learning's spans sit under the agent's call.
    const learningServers = trace.filter((span) => serviceOf(span) === "migrate-learning" && span.kind === SERVER);
    expect(learningServers.length).toBeGreaterThan(0);
    for (const server of learningServers) {
      expect(parentOf(server)).toMatchObject({ kind: CLIENT, resource: { "service.name": "migrate-agent" } });
    }

    // The mappings need no review here, so validation cleanses in the same call.
    const validateCalls = agentServers.filter((span) => span.name.endsWith("ValidateAndCleanseRecords"));
    expect(validateCalls.map((span) => parentOf(parentOf(span) as ReceivedSpan)?.name)).toEqual([
      "flow.batch",
      "flow.batch",
      "flow.batch",
    ]);

    const consumers = trace.filter((span) => span.kind === CONSUMER);
    for (const consumer of consumers) {
      expect(serviceOf(consumer)).toBe("migrate-telemetry");
      expect(consumer.attributes["messaging.system"]).toBe("nats");
      const producer = parentOf(consumer);
      expect(producer).toMatchObject({ kind: PRODUCER, resource: { "service.name": "migrate-flow" } });
      expect(producer?.attributes["messaging.destination.name"]).toBe(
        consumer.attributes["messaging.destination.name"],
      );
    }
    // flow.created was stored by CreateFlow's transaction: the relay's publish continues that request.
    const createdEvent = trace.find((span) => span.kind === PRODUCER && span.parentSpanId === createServer?.spanId);
    expect(createdEvent).toBeDefined();
  });

  it("puts database spans under the service that ran the query", () => {
    const pg = trace.filter(isPg);
    expect(new Set(pg.map(serviceOf))).toEqual(
      new Set(["migrate-flow", "migrate-agent", "migrate-learning", "migrate-telemetry"]),
    );
    for (const span of pg) expect(serviceOf(parentOf(span) as ReceivedSpan)).toBe(serviceOf(span));
    const createServer = trace.find((span) => span.kind === SERVER && span.name.endsWith("CreateFlow"));
    // A small upload is stored by one statement (flow, records, phases and event: WITH ... INSERT).
    const writes = pg.filter((span) => span.parentSpanId === createServer?.spanId && /INSERT|WITH/.test(span.name));
    expect(writes.length).toBeGreaterThanOrEqual(1);
  });

  it("describes each service: name, version, namespace, instance", () => {
    for (const name of SERVICES) {
      const span = trace.find((s) => serviceOf(s) === name);
      expect(span?.resource).toMatchObject({
        "service.namespace": "migrate-mesh",
        "service.version": "0.1.0",
        "service.instance.id": expect.any(String),
      });
    }
  });

  it("leads from the logs of flow, agent, learning and telemetry to the trace", async () => {
    const services = ["flow", "agent", "learning", "telemetry"];
    const logged = (name: string) => logsOf(name).filter((entry) => entry.trace_id === traceId);
    // A service's last spans may still be in its batch exporter when the trace looks settled.
    const wanted = new Set(services.flatMap((name) => logged(name).map((entry) => String(entry.span_id))));
    const spans = await receiver
      .waitFor((all) => {
        const ids = new Set(all.map((span) => span.spanId));
        return [...wanted].every((id) => ids.has(id));
      }, 10_000)
      .catch(() => trace);
    const ids = new Set(spans.filter((span) => span.traceId === traceId).map((span) => span.spanId));
    for (const name of services) {
      const traced = logged(name);
      expect(traced.length, name).toBeGreaterThan(0);
      for (const entry of traced) expect(ids.has(String(entry.span_id)), `${name}: ${entry.msg}`).toBe(true);
    }
  });

  it("names the gateway's span after its route and logs the request under the trace", () => {
    // Needs the gateway wiring of services/gateway/src/tracing (nameHttpRouteSpan, logHttpRequest).
    const entry = trace.find((span) => span.parentSpanId === callerSpanId);
    expect(entry?.name).toBe("POST /v1/flows");
    expect(entry?.attributes["http.route"]).toBe("/v1/flows");
    const traced = logsOf("gateway").filter((line) => line.trace_id === traceId);
    expect(traced.length).toBeGreaterThan(0);
  });
});

describe("a failed phase", () => {
  it("is marked on its span with the error, and logged once with its code", async () => {
    await mesh.services.agent?.stop();
    const traceId = newTraceId();
    const flow = await runFlow(traceId, newSpanId(), ["failed", "completed"]);
    expect(flow.status).toBe("failed");
    const spans = await receiver.waitFor(
      (all) => all.some((span) => span.traceId === traceId && span.name === "flow.run"),
      30_000,
    );
    const trace = spans.filter((span) => span.traceId === traceId);
    const failed = trace.find((span) => span.name === "flow.phase data_validation");
    expect(failed?.status.code).toBe(ERROR);
    expect(failed?.attributes["error.type"]).toBe("UNAVAILABLE");
    expect(failed?.events).toContainEqual(
      expect.objectContaining({
        name: "exception",
        attributes: expect.objectContaining({
          "exception.message": expect.stringContaining("did not answer MapFields"),
        }),
      }),
    );
    // The failed call itself is red too, under the phase.
    const call = trace.find((span) => span.kind === CLIENT && span.name.endsWith("AgentService/MapFields"));
    expect(call?.status.code).toBe(ERROR);
    expect(trace.find((span) => span.name === "flow.run")?.attributes["flow.outcome"]).toBe("failed");

    const errors = logsOf("flow").filter((entry) => entry.trace_id === traceId && entry.level === "error");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ msg: "flow phase failed", code: "UNAVAILABLE", phase: "data_validation" });
  }, 90_000);
});

function logsOf(service: string): Array<Record<string, unknown>> {
  const prefix = `[${service.padEnd(9)}] `;
  return lines
    .filter((line) => line.startsWith(prefix))
    .flatMap((line) => {
      try {
        return [JSON.parse(line.slice(prefix.length)) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}
