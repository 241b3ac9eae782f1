import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import {
  defaultAnswer,
  type FakeBehaviour,
  type FakeTaskRequest,
  type RecordedRequest,
  type ReportedUsage,
  taskOfSchema,
} from "./fake-llm-behaviour.ts";

export interface FakeLlmServer {
  /** The base URL to configure as LLM_BASE_URL. */
  baseUrl: string;
  requests: RecordedRequest[];
  /** Usage reported in responses that were sent (answers, malformed, refusals), per model. */
  reported: ReportedUsage;
  /** Behaviours for the next requests, in order; after them `setDefault`'s. */
  enqueue(...behaviours: FakeBehaviour[]): void;
  setDefault(behaviour: FakeBehaviour): void;
  close(): Promise<void>;
}

interface Dialect {
  path: string;
  /** The request's model, user prompt and answer schema. */
  decode(body: Record<string, unknown>): { model: string; user: string; schema: unknown };
  ok(model: string, text: string, usage: { inputTokens: number; outputTokens: number }, refusal: boolean): unknown;
  error(status: number): unknown;
}

/**
 * A real HTTP server on 127.0.0.1 speaking one provider's protocol, driven by a queue of
 * behaviours. The agent service (another process) talks to it through the official SDK.
 */
export async function startFakeLlmServer(dialect: Dialect): Promise<FakeLlmServer> {
  const queue: FakeBehaviour[] = [];
  let fallback: FakeBehaviour = { kind: "answer", inputTokens: 100, outputTokens: 20 };
  const requests: RecordedRequest[] = [];
  const reported: ReportedUsage = new Map();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== "POST" || req.url?.split("?")[0] !== dialect.path) {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify(dialect.error(404)));
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
    const { model, user, schema } = dialect.decode(body);
    const task = taskOfSchema(schema);
    const behaviour = queue.shift() ?? fallback;
    requests.push({ at: Date.now(), path: dialect.path, task, model, userPrompt: user, behaviour: behaviour.kind });
    const json = (status: number, payload: unknown, headers: Record<string, string> = {}) =>
      res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(payload));

    if (behaviour.kind === "hang") return; // never answers; the client's timeout must fire
    if (behaviour.kind === "status") {
      const headers: Record<string, string> =
        behaviour.retryAfterSeconds === undefined ? {} : { "retry-after": String(behaviour.retryAfterSeconds) };
      json(behaviour.status, dialect.error(behaviour.status), headers);
      return;
    }
    const usage = { inputTokens: behaviour.inputTokens, outputTokens: behaviour.outputTokens };
    const totals = reported.get(model) ?? { calls: 0, inputTokens: 0, outputTokens: 0 };
    reported.set(model, {
      calls: totals.calls + 1,
      inputTokens: totals.inputTokens + usage.inputTokens,
      outputTokens: totals.outputTokens + usage.outputTokens,
    });
    if (behaviour.kind === "malformed") {
      json(200, dialect.ok(model, '{"mappings": [ {"source": "Srv Lbl", "target": ', usage, false));
      return;
    }
    if (behaviour.kind === "refusal") {
      json(200, dialect.ok(model, "I can't help with that.", usage, true));
      return;
    }
    const request: FakeTaskRequest = { task, model, input: JSON.parse(user) };
    const answer = (behaviour.answer ?? defaultAnswer)(request);
    json(200, dialect.ok(model, JSON.stringify(answer), usage, false));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    baseUrl: `http://127.0.0.1:${port}${dialect.path.startsWith("/v1/chat") ? "/v1" : ""}`,
    requests,
    reported,
    enqueue: (...behaviours) => queue.push(...behaviours),
    setDefault: (behaviour) => {
      fallback = behaviour;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
