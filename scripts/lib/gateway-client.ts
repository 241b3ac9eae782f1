/**
 * The gateway's REST API as the CLI and the demo use it: bearer token, JSON answers, errors as
 * `GatewayError` carrying the API's `{"error":{"code","message","details"}}`, and the flow's
 * server-sent events as an async iterable.
 */
import { openAsBlob } from "node:fs";
import { basename } from "node:path";

/** A flow event as the gateway streams it (the JetStream envelope). */
export interface FlowEvent {
  event_id: string;
  type: string;
  flow_id: string;
  phase: string;
  progress: number;
  occurred_at: string;
  payload: Record<string, unknown>;
}

export interface FlowJson {
  id: string;
  name: string;
  status: string;
  phase: string | null;
  progress: number;
  status_message: string;
  raw_record_count: number;
  connection_count: number;
  asset_count: number;
  application_count: number;
  created_at: string;
  completed_at: string;
  notices: string[];
  [key: string]: unknown;
}

export interface FieldMappingJson {
  source: string;
  target: string;
  confidence: number;
  reason: string;
  unit?: string;
  alternatives?: Array<{ target: string; confidence: number }>;
  /** The column whose target this one duplicates. */
  sibling?: string;
}

export interface MappingReview {
  mappings: FieldMappingJson[];
  awaiting_approval: boolean;
  reasons: string[];
  confidence_threshold: number;
  valid_targets: string[];
}

export interface Count {
  key: string;
  count: number;
}

export interface FlowReport {
  flow: FlowJson;
  asset_count: number;
  duplicate_count: number;
  application_count: number;
  dependency_count: number;
  wave_count: number;
  by_asset_type: Count[];
  by_environment: Count[];
  by_os_family: Count[];
  by_strategy: Count[];
  application_strategies: Count[];
  data_quality: number;
  issues_by_code: Count[];
  open_issue_count: number;
}

export interface Correction {
  source_field: string;
  target_field: string;
}

/** An error answer of the gateway (or no answer at all: status 0). */
export class GatewayError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown>;
  constructor(status: number, code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.name = "GatewayError";
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export interface GatewayClient {
  url: string;
  /** Uploads an inventory (and optional connections file) from disk, streamed, as multipart. */
  createFlow(input: { inventory: string; connections?: string; name?: string }): Promise<FlowJson>;
  getFlow(flowId: string): Promise<FlowJson>;
  getMappings(flowId: string): Promise<MappingReview>;
  approveMappings(
    flowId: string,
    corrections?: Correction[],
  ): Promise<{ flow: FlowJson; mappings: FieldMappingJson[] }>;
  report(flowId: string): Promise<FlowReport>;
  /** The export's response, its body not yet read (stream it to a file). */
  exportAssets(flowId: string, format: "csv" | "json"): Promise<Response>;
  /** The flow's events from the start (or after `after`), ending after a terminal event. */
  events(flowId: string, options?: { after?: string; signal?: AbortSignal }): AsyncGenerator<FlowEvent>;
}

export function createGatewayClient(options: { url: string; token: string }): GatewayClient {
  const base = options.url.replace(/\/+$/, "");
  const auth = { authorization: `Bearer ${options.token}` };

  const request = async (path: string, init: RequestInit = {}): Promise<Response> => {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, { ...init, headers: { ...auth, ...init.headers } });
    } catch (error) {
      const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new GatewayError(0, "UNREACHABLE", `cannot reach the gateway at ${base} (${reason})`);
    }
    if (res.ok) return res;
    const text = await res.text();
    let body: { error?: { code?: string; message?: string; details?: Record<string, unknown> } } = {};
    try {
      body = JSON.parse(text);
    } catch {
      // Not the API's error shape: report the status line.
    }
    throw new GatewayError(
      res.status,
      body.error?.code ?? `HTTP_${res.status}`,
      body.error?.message ?? (text.slice(0, 200) || res.statusText),
      body.error?.details ?? {},
    );
  };
  const json = async <T>(path: string, init?: RequestInit): Promise<T> =>
    (await (await request(path, init)).json()) as T;
  const flowPath = (flowId: string, rest = "") => `/v1/flows/${encodeURIComponent(flowId)}${rest}`;

  return {
    url: base,
    async createFlow(input) {
      const form = new FormData();
      // The name must come before the files: the gateway sends it ahead of the content.
      if (input.name) form.append("name", input.name);
      const type = input.inventory.toLowerCase().endsWith(".json") ? "application/json" : "text/csv";
      form.append("file", await openAsBlob(input.inventory, { type }), basename(input.inventory));
      if (input.connections) {
        form.append(
          "connections",
          await openAsBlob(input.connections, { type: "text/csv" }),
          basename(input.connections),
        );
      }
      return (await json<{ flow: FlowJson }>("/v1/flows", { method: "POST", body: form })).flow;
    },
    getFlow: async (flowId) => (await json<{ flow: FlowJson }>(flowPath(flowId))).flow,
    getMappings: (flowId) => json<MappingReview>(flowPath(flowId, "/mappings")),
    approveMappings: (flowId, corrections = []) =>
      json(flowPath(flowId, "/mappings/approve"), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ corrections }),
      }),
    report: (flowId) => json<FlowReport>(flowPath(flowId, "/report")),
    exportAssets: (flowId, format) => request(flowPath(flowId, `/export?format=${format}`)),
    async *events(flowId, eventOptions = {}) {
      const headers: Record<string, string> = { accept: "text/event-stream" };
      if (eventOptions.after) headers["last-event-id"] = eventOptions.after;
      const res = await request(flowPath(flowId, "/events"), { headers, signal: eventOptions.signal });
      yield* parseEventStream(res);
    },
  };
}

/** Parses a text/event-stream body into flow events; comments (heartbeats) are skipped. */
export async function* parseEventStream(res: Response): AsyncGenerator<FlowEvent> {
  if (!res.body) return;
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of res.body) {
    buffer += decoder.decode(chunk, { stream: true }).replace(/\r\n/g, "\n");
    for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let type = "message";
      const data: string[] = [];
      for (const line of frame.split("\n")) {
        if (line.startsWith("event:")) type = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
      }
      if (data.length === 0) continue;
      const payload = JSON.parse(data.join("\n"));
      if (type === "error") {
        const error = payload.error ?? {};
        throw new GatewayError(200, error.code ?? "INTERNAL", error.message ?? "event stream failed", error.details);
      }
      yield payload as FlowEvent;
    }
  }
}
