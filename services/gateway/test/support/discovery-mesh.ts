import { randomBytes } from "node:crypto";
import { createRedis } from "@migrate/cache";
import { createDb, sql } from "@migrate/db";
import { connectEvents, type EventBus } from "@migrate/events";
import { freePortBase, type Mesh, type StartMeshOptions, startMesh } from "@migrate/launcher";
import { generateSample } from "../../../../scripts/generate-sample.ts";
import { signDevToken } from "../../src/auth/dev-token.ts";

/** A flow event as the gateway streams it. */
export interface StreamedEvent {
  id: string;
  event: string;
  data: {
    event_id: string;
    type: string;
    flow_id: string;
    client_account_id: string;
    phase: string;
    progress: number;
    payload: Record<string, unknown>;
  };
}

export interface DiscoveryMesh {
  mesh: Mesh;
  bus: EventBus;
  /** The mesh's flow event stream. */
  stream: string;
  /** A fresh tenant id, unique to this run. */
  tenant(label: string): string;
  /** A token for `client` with the given roles (default: analyst). */
  token(client: string, roles?: string[]): Promise<string>;
  api(path: string, token: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * All five services as real processes (`startMesh({ isolate: true })`: own schemas, event stream,
 * telemetry durable, Redis prefix and JWT secret) on a free port block; `stop` ends them and
 * drops everything the run created.
 */
export async function startDiscoveryMesh(
  options: {
    gatewayEnv?: Record<string, string>;
    /** Extra settings per service (e.g. an agent's LLM provider). */
    serviceEnv?: StartMeshOptions["serviceEnv"];
  } = {},
): Promise<DiscoveryMesh> {
  const run = randomBytes(3).toString("hex");
  const start = async () =>
    startMesh({
      isolate: true,
      portBase: await freePortBase(),
      env: { LOG_LEVEL: "warn" },
      serviceEnv: {
        ...options.serviceEnv,
        // A short drain: nothing balances load in front of a test mesh.
        gateway: {
          SHUTDOWN_TIMEOUT_MS: "8000",
          SHUTDOWN_DRAIN_MS: "500",
          ...options.serviceEnv?.gateway,
          ...options.gatewayEnv,
        },
      },
    });
  let mesh: Mesh;
  try {
    mesh = await start();
  } catch (error) {
    // A port of the block was taken (an ephemeral client port) between the check and the bind.
    if (!String((error as Error).message).includes("EADDRINUSE")) throw error;
    mesh = await start();
  }
  const bus = await connectEvents({ servers: process.env.NATS_URL ?? "nats://127.0.0.1:4222", name: "gateway-e2e" });
  const stream = mesh.env.flow.FLOW_EVENTS_STREAM ?? "";
  return {
    mesh,
    bus,
    stream,
    tenant: (label) => `${label}-${run}-${randomBytes(3).toString("hex")}`,
    token: (client, roles = ["analyst"]) =>
      signDevToken({ client, sub: "tester", roles, secret: mesh.jwtSecret, expiresIn: "15m" }),
    api: (path, token, init = {}) =>
      fetch(`${mesh.gatewayUrl}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, ...(init.headers as Record<string, string>) },
      }),
    async stop() {
      await mesh.stop();
      const database = createDb({
        url: process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
        schema: "public",
        name: "gateway-e2e-cleanup",
      });
      try {
        for (const name of ["flow", "agent", "learning", "telemetry"]) {
          await sql`drop schema if exists ${sql.id(`${name}${mesh.suffix}`)} cascade`.execute(database.db);
        }
      } finally {
        await database.close();
      }
      // Telemetry creates the mesh's own usage stream at start-up, used or not.
      for (const name of [stream, mesh.env.telemetry.USAGE_EVENTS_STREAM]) {
        if (name) await bus.jsm.streams.delete(name).catch(() => false);
      }
      await bus.close();
      const redis = createRedis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
      try {
        const keys = await redis.keys(`${mesh.env.gateway.REDIS_KEY_PREFIX}*`);
        if (keys.length) await redis.del(...keys);
      } finally {
        redis.disconnect();
      }
    },
  };
}

/**
 * The 300-server sample (seed 3) with its connections; the server-name column is renamed to
 * "Computr" (a typo the mapper reads as "computer", a guess), which maps to asset_name below the
 * confidence threshold, so the flow stops for a
 * review that approving as suggested answers; one data-centre cell holds a spreadsheet formula
 * that an export must neutralise.
 */
export function reviewSample(): { inventoryCsv: string; connectionsCsv: string } {
  const sample = generateSample({ servers: 300, seed: 3 });
  const [header = "", first = "", ...rest] = sample.inventoryCsv.split("\n");
  const cells = first.split(",");
  const datacenter = header.split(",").indexOf("Data Center");
  cells[datacenter] = '"=HYPERLINK(""x"")"';
  return {
    inventoryCsv: [header.replace("Server Name", "Computr"), cells.join(","), ...rest].join("\n"),
    connectionsCsv: sample.connectionsCsv,
  };
}

/** Reads a text/event-stream response to its end (or until `until` holds), frame by frame. */
export async function readEvents(
  res: Response,
  onEvent: (event: StreamedEvent) => Promise<void> | void = () => {},
  until: (event: StreamedEvent) => boolean = () => false,
): Promise<{ events: StreamedEvent[]; comments: string[] }> {
  const events: StreamedEvent[] = [];
  const comments: string[] = [];
  const decoder = new TextDecoder();
  let buffer = "";
  const reader = res.body?.getReader();
  if (!reader) return { events, comments };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields: Record<string, string> = {};
        for (const line of frame.split("\n")) {
          if (line.startsWith(":")) comments.push(line.slice(1).trim());
          else if (line.includes(":"))
            fields[line.slice(0, line.indexOf(":"))] = line.slice(line.indexOf(":") + 1).trim();
        }
        if (!fields.data) continue;
        const event = { id: fields.id ?? "", event: fields.event ?? "", data: JSON.parse(fields.data) };
        events.push(event);
        await onEvent(event);
        if (until(event)) return { events, comments };
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  return { events, comments };
}

/** A multipart create body: name first, then the inventory and the optional connections file. */
export function uploadForm(inventoryCsv: string, connectionsCsv?: string, name = "E2E estate"): FormData {
  const form = new FormData();
  form.append("name", name);
  form.append("file", new Blob([inventoryCsv], { type: "text/csv" }), "inventory.csv");
  if (connectionsCsv) form.append("connections", new Blob([connectionsCsv], { type: "text/csv" }), "connections.csv");
  return form;
}
