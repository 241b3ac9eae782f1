/**
 * A seeded, bounded fuzz run against a whole mesh: mutated CSV and JSON inventories through the
 * upload, and random request lines, paths and headers through the REST router. Whatever comes
 * in, the answer is a 2xx or a 4xx with the JSON error shape, never a 5xx, and every process is
 * still up afterwards. The seed is printed so a failure can be replayed (FUZZ_SEED=...).
 * Part of `npm run test:hostile`.
 */
import { connect } from "node:net";
import { checkHealth } from "@migrate/grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DiscoveryMesh, startDiscoveryMesh } from "./support/discovery-mesh.ts";

const SEED = Number(process.env.FUZZ_SEED ?? 20261205);
const UPLOADS = 120;
const REQUESTS = 300;

/** mulberry32: a small seeded generator, so every run sends the same inputs. */
function generator(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  return { next, int, pick };
}

const CSV =
  'Server Name,CPU Cores,Memory (GB),IP Address,Notes\nweb01,4,16,10.0.0.1,"a, ""quoted"" note"\ndb01,8,32,10.0.0.2,\n';
const JSON_INVENTORY =
  '[{"Server Name":"web01","CPU Cores":4,"Memory (GB)":16},{"Server Name":"db01","CPU Cores":"8"}]';
const NASTY = [
  '"',
  "'",
  ",",
  ";",
  "\t",
  "\n",
  "\r",
  "\r\n",
  "\u0000",
  "\ufeff",
  "\\",
  "{",
  "[",
  "]",
  "}",
  ":",
  "é",
  "😀",
  "\u202e",
];

/** One mutation of `base`: bytes inserted, deleted, duplicated or swapped, a few at a time. */
function mutate(rng: ReturnType<typeof generator>, base: string): string {
  let text = base;
  for (let edits = 1 + rng.int(6); edits > 0; edits--) {
    const at = rng.int(text.length + 1);
    switch (rng.int(5)) {
      case 0:
        text = text.slice(0, at) + rng.pick(NASTY).repeat(1 + rng.int(3)) + text.slice(at);
        break;
      case 1:
        text = text.slice(0, at) + text.slice(at + 1 + rng.int(8));
        break;
      case 2:
        text = text.slice(0, at) + text.slice(at, at + 20).repeat(1 + rng.int(50)) + text.slice(at);
        break;
      case 3:
        text = text.slice(0, at) + String.fromCharCode(rng.int(0x3000)) + text.slice(at);
        break;
      default:
        text = text.slice(at) + text.slice(0, at);
    }
  }
  return text;
}

let d: DiscoveryMesh;
let token: string;

beforeAll(async () => {
  console.info(`fuzz seed ${SEED} (replay with FUZZ_SEED=${SEED})`);
  d = await startDiscoveryMesh({
    gatewayEnv: { RATE_LIMIT_PER_MINUTE: "100000", RATE_LIMIT_UPLOADS_PER_MINUTE: "100000" },
  });
  token = await d.token(d.tenant("fuzz"));
}, 120_000);
afterAll(async () => {
  await d?.stop();
});

async function expectAllAlive(): Promise<void> {
  for (const name of ["flow", "agent", "learning", "telemetry"] as const) {
    expect(await checkHealth(`127.0.0.1:${d.mesh.ports.grpc[name]}`, "liveness", 5_000), name).toBe("SERVING");
  }
  expect((await fetch(`${d.mesh.gatewayUrl}/healthz`)).status).toBe(200);
}

describe("fuzzed uploads", () => {
  it(`answers ${UPLOADS} mutated CSV and JSON inventories with 201 or a 4xx, never a 5xx`, async () => {
    const rng = generator(SEED);
    const statuses = new Map<number, number>();
    for (let i = 0; i < UPLOADS; i++) {
      const json = rng.next() < 0.4;
      const body = mutate(rng, json ? JSON_INVENTORY : CSV);
      const res = await d.api(`/v1/flows?name=fuzz-${i}`, token, {
        method: "POST",
        headers: { "content-type": json ? "application/json" : "text/csv" },
        body,
      });
      const answer = (await res.json()) as { error?: { code: string; message: string } };
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect(res.status, `upload ${i}: ${JSON.stringify(body.slice(0, 200))}`).toBeLessThan(500);
      if (res.status >= 400) expect(answer.error?.message.length, `upload ${i}`).toBeGreaterThan(0);
    }
    console.info(`fuzzed uploads by status: ${JSON.stringify(Object.fromEntries(statuses))}`);
    // What was accepted is worked to an end (or a person's review) by flow and agent: no input stalls them.
    const settled = new Set(["completed", "failed", "awaiting_input"]);
    const deadline = Date.now() + 120_000;
    let unsettled: string[] = [];
    do {
      const page = (await (await d.api("/v1/flows?limit=200", token)).json()) as { flows: { status: string }[] };
      unsettled = page.flows.map((flow) => flow.status).filter((status) => !settled.has(status));
      if (unsettled.length) await new Promise((resolve) => setTimeout(resolve, 500));
    } while (unsettled.length && Date.now() < deadline);
    expect(unsettled).toEqual([]);
    await expectAllAlive();
  }, 240_000);
});

/** Sends raw bytes and returns the status of the first answer (0 when the socket closed without one). */
function rawRequest(port: number, bytes: string): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let data = "";
    const timer = setTimeout(() => socket.destroy(), 5_000);
    socket.on("data", (chunk) => {
      data += chunk.toString("latin1");
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0));
    });
    socket.end(bytes, "latin1");
  });
}

describe("fuzzed requests", () => {
  it(`answers ${REQUESTS} random request lines, paths and headers without a 5xx`, async () => {
    const rng = generator(SEED + 1);
    const port = Number(new URL(d.mesh.gatewayUrl).port);
    const methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "G\u00c9T", ""];
    const segments = [
      "v1",
      "flows",
      "events",
      "mappings",
      "approve",
      "assets",
      "export",
      "usage",
      "pricing",
      "learning",
      "patterns",
      "..",
      ".",
      "%ff",
      "%",
      "%2e%2e",
      "[",
      "//",
      "?",
      "#",
      "00000000-0000-4000-8000-000000000000",
    ];
    const headers = [
      `authorization: Bearer ${token}`,
      "authorization: Bearer \u00ff\u00fe",
      "authorization: Basic Zm9vOmJhcg==",
      "content-type: multipart/form-data; boundary=",
      "content-type: application/json",
      "content-type: text/csv; charset=utf-16",
      "content-length: -1",
      "content-length: 99999999999",
      "transfer-encoding: chunked",
      "x-request-id: \u0001\u0002",
      "last-event-id: 1e309",
      "accept: text/event-stream",
    ];
    const statuses = new Map<number, number>();
    for (let i = 0; i < REQUESTS; i++) {
      const path = `/${Array.from({ length: rng.int(6) }, () => rng.pick(segments)).join("/")}`;
      const lines = Array.from({ length: rng.int(4) }, () => rng.pick(headers));
      const body = rng.next() < 0.3 ? mutate(rng, CSV) : "";
      const request = `${rng.pick(methods)} ${path} HTTP/1.1\r\nhost: x\r\n${lines.join("\r\n")}${lines.length ? "\r\n" : ""}connection: close\r\n\r\n${body}`;
      const status = await rawRequest(port, request);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      expect(status, `request ${i}: ${JSON.stringify(request.slice(0, 300))}`).toBeLessThan(500);
    }
    console.info(`fuzzed requests by status: ${JSON.stringify(Object.fromEntries(statuses))}`);
    await expectAllAlive();
  }, 240_000);
});
