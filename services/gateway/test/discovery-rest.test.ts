/**
 * The discovery API over REST against the whole mesh (five real processes): a flow from a
 * multipart upload with connections to completed while its events stream over SSE, the mapping
 * review answered on the way; results, export, resume, tenancy and the refusals a user meets.
 */
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type DiscoveryMesh,
  readEvents,
  reviewSample,
  type StreamedEvent,
  startDiscoveryMesh,
  uploadForm,
} from "./support/discovery-mesh.ts";

const PHASES = [
  "data_import",
  "data_validation",
  "field_mapping",
  "data_cleansing",
  "asset_inventory",
  "dependency_analysis",
  "application_discovery",
  "strategy_recommendation",
];

let d: DiscoveryMesh;
let owner: string;
let flowId = "";
let streamed: StreamedEvent[] = [];
let report: Record<string, unknown> & { asset_count: number; application_count: number; dependency_count: number };

beforeAll(async () => {
  d = await startDiscoveryMesh({ gatewayEnv: { SSE_HEARTBEAT_MS: "300" } });
  owner = await d.token(d.tenant("owner"));
});
afterAll(async () => {
  await d?.stop();
});

// biome-ignore lint/suspicious/noExplicitAny: answers are read loosely; the assertions check their shape.
type Body = any;
const json = async (res: Response) => ({ status: res.status, headers: res.headers, body: (await res.json()) as Body });
const post = (path: string, token: string, body?: unknown) =>
  d.api(path, token, {
    method: "POST",
    ...(body === undefined
      ? {}
      : {
          headers: { "content-type": "application/json" },
          body: typeof body === "string" ? body : JSON.stringify(body),
        }),
  });

describe("a discovery flow over REST", () => {
  it("runs from a multipart upload with connections to completed, its phases streamed live over SSE", async () => {
    const sample = reviewSample();
    const created = await json(
      await d.api("/v1/flows", owner, { method: "POST", body: uploadForm(sample.inventoryCsv, sample.connectionsCsv) }),
    );
    expect(created.status).toBe(201);
    expect(created.body.flow).toMatchObject({ name: "E2E estate", raw_record_count: 303 });
    expect(created.body.flow.connection_count).toBe(sample.connectionsCsv.trim().split("\n").length - 1);
    flowId = created.body.flow.id;

    const res = await d.api(`/v1/flows/${flowId}/events`, owner);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    let approved: { status: number; body: Body } | undefined;
    const { events } = await readEvents(res, async (event) => {
      if (event.event !== "flow.awaiting_input") return;
      const review = await json(await d.api(`/v1/flows/${flowId}/mappings`, owner));
      expect(review.body).toMatchObject({ awaiting_approval: true, flow_id: flowId });
      expect(review.body.reasons.join(" ")).toContain("Computr → asset_name");
      approved = await json(await post(`/v1/flows/${flowId}/mappings/approve`, owner));
    });
    // The stream ended by itself: the gateway closes it after the terminal event.
    streamed = events;
    expect(approved?.status).toBe(200);
    expect(approved?.body.flow.status).toBe("running");
    expect(approved?.body.mappings.find((m: { source: string }) => m.source === "Computr")).toMatchObject({
      target: "asset_name",
    });
    const types = events.map((e) => e.event);
    expect(types[0]).toBe("flow.created");
    expect(types.at(-1)).toBe("flow.completed");
    expect(types).toContain("flow.awaiting_input");
    expect(types).toContain("mappings.approved");
    const completedPhases = events.filter((e) => e.event === "phase.completed").map((e) => e.data.payload.phase);
    expect(completedPhases).toEqual(PHASES);
    for (const event of events) {
      expect(event.id).toBe(event.data.event_id);
      expect(event.event).toBe(event.data.type);
      expect(event.data.flow_id).toBe(flowId);
    }
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
    const progress = events.map((e) => e.data.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect((await json(await d.api(`/v1/flows/${flowId}`, owner))).body.flow).toMatchObject({
      status: "completed",
      progress: 100,
    });
  });

  it("reports counts that agree with the paged assets, applications, waves and dependencies", async () => {
    report = (await json(await d.api(`/v1/flows/${flowId}/report`, owner))).body;
    expect(report).toMatchObject({ asset_count: 300, duplicate_count: 3 });
    expect(report.flow).toMatchObject({ id: flowId, status: "completed" });
    const sum = (items: Array<{ count: number }>) => items.reduce((total, item) => total + item.count, 0);
    for (const key of ["by_asset_type", "by_environment", "by_os_family", "by_strategy"]) {
      expect(sum(report[key] as Array<{ count: number }>), key).toBe(300);
    }
    expect(report.data_quality).toBeGreaterThan(0.5);

    const rows = new Set<number>();
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const page = (await json(await d.api(`/v1/flows/${flowId}/assets?limit=120${query}`, owner))).body;
      expect(page.total).toBe(report.asset_count);
      for (const view of page.assets) rows.add(view.asset.row_number);
      cursor = page.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(rows.size).toBe(report.asset_count);

    const apps = (await json(await d.api(`/v1/flows/${flowId}/applications`, owner))).body;
    expect(apps.applications.length).toBeGreaterThan(0);
    expect(apps.applications).toHaveLength(report.application_count);
    expect(apps.applications[0].application.name).toBeTruthy();
    const waves = (await json(await d.api(`/v1/flows/${flowId}/waves`, owner))).body;
    expect(waves.waves.length).toBeGreaterThan(0);
    expect(waves.waves[0].number).toBe(1);
    const deps = (await json(await d.api(`/v1/flows/${flowId}/dependencies?limit=5`, owner))).body;
    expect(deps.edges).toHaveLength(5);
    expect(deps.total).toBe(report.dependency_count);
    expect(deps.next_cursor).toEqual(expect.any(String));

    const warnings = (await json(await d.api(`/v1/flows/${flowId}/issues?severity=warning&limit=50`, owner))).body;
    expect(warnings.issues.length).toBeGreaterThan(0);
    expect(warnings.issues.every((issue: { severity: string }) => issue.severity === "warning")).toBe(true);
    const badSeverity = await json(await d.api(`/v1/flows/${flowId}/issues?severity=fatal`, owner));
    expect(badSeverity.status).toBe(400);
    expect((await json(await d.api(`/v1/flows/${flowId}/assets?limit=5000`, owner))).status).toBe(400);
  });

  it("exports CSV with formula cells neutralised and JSON that parses, streamed as attachments", async () => {
    const csv = await d.api(`/v1/flows/${flowId}/export?format=csv`, owner);
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(csv.headers.get("content-disposition")).toBe(`attachment; filename="flow-${flowId}-assets.csv"`);
    const text = await csv.text();
    expect(text.trim().split(/\r?\n/)).toHaveLength(report.asset_count + 1);
    expect(text).toContain(`"'=HYPERLINK(""x"")"`);
    expect(text).not.toMatch(/(^|,)"?=HYPERLINK/m);

    const exported = await d.api(`/v1/flows/${flowId}/export?format=json`, owner);
    expect(exported.headers.get("content-type")).toMatch(/^application\/json/);
    const assets = JSON.parse(await exported.text()) as unknown[];
    expect(assets).toHaveLength(report.asset_count);
    const bad = await json(await d.api(`/v1/flows/${flowId}/export?format=xlsx`, owner));
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.valid).toEqual(["csv", "json"]);
  });

  it("filters assets and the export in the flow service, counting what the report counts", async () => {
    const byStrategy = report.by_strategy as Array<{ key: string; count: number }>;
    const top = byStrategy.find((item) => item.key !== "unknown");
    if (!top) throw new Error("the report names no strategy");
    const strategy = top.key;
    const rows: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const page = (await json(await d.api(`/v1/flows/${flowId}/assets?strategy=${strategy}&limit=40${query}`, owner)))
        .body;
      expect(page.total).toBe(top.count);
      for (const view of page.assets) {
        expect(view.strategy.strategy).toBe(strategy);
        rows.push(view.asset.row_number);
      }
      cursor = page.next_cursor;
      pages++;
    } while (cursor && pages < 20);
    expect(rows).toHaveLength(top.count);
    expect(new Set(rows).size).toBe(top.count);
    expect(pages).toBe(Math.max(1, Math.ceil(top.count / 40)));

    // Filters combine: the environment's count among the strategy's assets is at most either's.
    const env = (report.by_environment as Array<{ key: string; count: number }>)[0];
    if (!env) throw new Error("the report names no environment");
    const both = (
      await json(await d.api(`/v1/flows/${flowId}/assets?strategy=${strategy}&environment=${env.key}`, owner))
    ).body;
    expect(both.total).toBeLessThanOrEqual(Math.min(top.count, env.count));
    for (const view of both.assets) {
      expect(view.strategy.strategy).toBe(strategy);
      expect(view.asset.environment || "unknown").toBe(env.key);
    }

    const csv = await d.api(`/v1/flows/${flowId}/export?format=csv&strategy=${strategy}`, owner);
    expect(csv.status).toBe(200);
    const records = parse(await csv.text(), { columns: true }) as Array<Record<string, string>>;
    expect(records).toHaveLength(top.count);
    expect(records.every((record) => record.strategy === strategy)).toBe(true);
    expect(records.map((record) => Number(record.row_number))).toEqual([...rows].sort((a, b) => a - b));

    for (const path of ["assets?strategy=rebuild", "export?format=csv&os_family=macos"]) {
      const bad = await json(await d.api(`/v1/flows/${flowId}/${path}`, owner));
      expect(bad.status, path).toBe(400);
      expect(bad.body.error.code).toBe("INVALID_ARGUMENT");
      expect(bad.body.error.details.valid).toContain("unknown");
    }
  });

  it("replays the history to a late subscriber and resumes after Last-Event-ID with only later events", async () => {
    const replay = await readEvents(await d.api(`/v1/flows/${flowId}/events`, owner));
    expect(replay.events.map((e) => e.id)).toEqual(streamed.map((e) => e.id));
    const middle = Math.floor(streamed.length / 2);
    const after = streamed[middle]?.id ?? "";
    const resumed = await readEvents(
      await d.api(`/v1/flows/${flowId}/events`, owner, { headers: { "last-event-id": after } }),
    );
    expect(resumed.events.map((e) => e.id)).toEqual(streamed.slice(middle + 1).map((e) => e.id));
    const byQuery = await readEvents(await d.api(`/v1/flows/${flowId}/events?after=${after}`, owner));
    expect(byQuery.events).toHaveLength(streamed.length - middle - 1);
    const last = await readEvents(
      await d.api(`/v1/flows/${flowId}/events`, owner, { headers: { "last-event-id": streamed.at(-1)?.id ?? "" } }),
    );
    expect(last.events).toEqual([]);
    const unknown = await json(
      await d.api(`/v1/flows/${flowId}/events`, owner, { headers: { "last-event-id": "no-such-event" } }),
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe("INVALID_ARGUMENT");
  });

  it("keeps a followed stream open with heartbeats and frees the watch when the client leaves", async () => {
    const consumers = async () => (await d.bus.jsm.consumers.list(d.stream).next()).length;
    const metrics = `http://127.0.0.1:${d.mesh.env.gateway?.METRICS_PORT}/metrics`;
    const watches = async () =>
      Number((await (await fetch(metrics)).text()).match(/^gateway_flow_event_watches(?:\{[^}]*\})? (\d+)/m)?.[1]);
    const before = await consumers();
    const res = await d.api(`/v1/flows/${flowId}/events?follow=true`, owner);
    const reader = res.body?.getReader();
    const decoder = new TextDecoder();
    let text = "";
    // History first, then (the flow is done) only heartbeat comments, every 300 ms here.
    while (!text.includes(": heartbeat\n\n")) {
      const { done, value } = (await reader?.read()) ?? { done: true };
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    expect(text).toContain(`id: ${streamed.at(-1)?.id}`);
    expect(text).toContain(": heartbeat\n\n");
    expect(await watches()).toBe(1);
    // Watchers share the gateway's one JetStream subscription: a watch opens no consumer of its own.
    expect(await consumers()).toBe(before);
    await reader?.cancel();
    let now = await watches();
    for (let i = 0; i < 50 && now > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      now = await watches();
    }
    expect(now).toBe(0);
    expect(await consumers()).toBe(before);
  });

  it("answers another tenant 404 on every route, the event stream and the export included", async () => {
    const intruder = await d.token(d.tenant("intruder"));
    const gets = ["", "/mappings", "/assets", "/applications", "/dependencies", "/waves", "/issues", "/report"];
    for (const path of [...gets, "/events", "/export?format=csv", "/export?format=json"]) {
      const res = await json(await d.api(`/v1/flows/${flowId}${path}`, intruder));
      expect(res.status, path).toBe(404);
      expect(res.body.error.code, path).toBe("NOT_FOUND");
    }
    for (const action of ["pause", "resume", "cancel", "retry", "mappings/approve"]) {
      const res = await json(await post(`/v1/flows/${flowId}/${action}`, intruder));
      expect(res.status, action).toBe(404);
    }
  });

  it("answers 409 to approving or steering a completed flow", async () => {
    const approve = await json(await post(`/v1/flows/${flowId}/mappings/approve`, owner, { corrections: [] }));
    expect(approve.status).toBe(409);
    expect(approve.body.error).toMatchObject({ code: "FAILED_PRECONDITION" });
    expect(approve.body.error.message).toContain("awaiting_input");
    for (const action of ["pause", "resume", "cancel", "retry"]) {
      const res = await json(await post(`/v1/flows/${flowId}/${action}`, owner));
      expect(res.status, action).toBe(409);
      expect(res.body.error.code).toBe("FAILED_PRECONDITION");
    }
  });
});

describe("the mapping review", () => {
  it("waits when no column names the server, refuses bad corrections with 400, and goes on once corrected", async () => {
    const csv = "Kit Ref,IP Address,OS\nalpha one,10.1.0.1,RHEL 8\nbeta two,10.1.0.2,Windows Server 2019\n";
    const created = await json(await d.api("/v1/flows", owner, { method: "POST", body: uploadForm(csv) }));
    const id = created.body.flow.id;
    const waiting = await readEvents(await d.api(`/v1/flows/${id}/events`, owner), undefined, (e) =>
      ["flow.awaiting_input", "flow.completed", "flow.failed"].includes(e.event),
    );
    expect(waiting.events.at(-1)?.event).toBe("flow.awaiting_input");
    expect(waiting.events.at(-1)?.data.payload.message).toContain("no column maps to a name or hostname");

    const unknown = await json(
      await post(`/v1/flows/${id}/mappings/approve`, owner, {
        corrections: [{ source_field: "Kit Ref", target_field: "server_label" }],
      }),
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain("unknown target field server_label");
    expect(unknown.body.error.details.valid).toEqual(expect.arrayContaining(["hostname", "asset_name", "cpu_cores"]));
    const malformed: Array<[string, string]> = [
      ["{not json", "not valid JSON"],
      ['{"corrections":"Kit Ref=hostname"}', "corrections must be an array"],
      ['{"corrections":[{"target_field":"hostname"}]}', "corrections[0].source_field must be a non-empty string"],
      ["[1,2]", "the body must be a JSON object"],
    ];
    for (const [body, message] of malformed) {
      const res = await json(await post(`/v1/flows/${id}/mappings/approve`, owner, body));
      expect(res.status, body).toBe(400);
      expect(res.body.error.message, body).toContain(message);
    }

    const fixed = await json(
      await post(`/v1/flows/${id}/mappings/approve`, owner, {
        corrections: [{ source_field: "Kit Ref", target_field: "hostname" }],
      }),
    );
    expect(fixed.status).toBe(200);
    const rest = await readEvents(
      await d.api(`/v1/flows/${id}/events`, owner, { headers: { "last-event-id": waiting.events.at(-1)?.id ?? "" } }),
    );
    expect(rest.events[0]?.event).toBe("mappings.approved");
    expect(rest.events.at(-1)?.event).toBe("flow.completed");
    const assets = (await json(await d.api(`/v1/flows/${id}/assets`, owner))).body;
    expect(assets.assets.map((view: { asset: { hostname: string } }) => view.asset.hostname).sort()).toEqual([
      "alpha one",
      "beta two",
    ]);
  });

  it("cancels a waiting flow once; a second cancel is 409", async () => {
    // A tenant of its own: the owner's review above taught learning that "Kit Ref" is the hostname,
    // so the owner's next import of this shape would not wait.
    const user = await d.token(d.tenant("canceller"));
    const csv = "Kit Ref,OS\nx1,RHEL 8\n";
    const id = (await json(await d.api("/v1/flows", user, { method: "POST", body: uploadForm(csv) }))).body.flow.id;
    await readEvents(await d.api(`/v1/flows/${id}/events`, user), undefined, (e) => e.event === "flow.awaiting_input");
    const cancelled = await json(await post(`/v1/flows/${id}/cancel`, user));
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.flow.status).toBe("cancelled");
    expect((await json(await post(`/v1/flows/${id}/cancel`, user))).status).toBe(409);
    const events = await readEvents(await d.api(`/v1/flows/${id}/events`, user));
    expect(events.events.at(-1)?.event).toBe("flow.cancelled");
  });
});
