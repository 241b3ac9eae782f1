import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "@migrate/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../../telemetry/test/support/wait-for.ts";
import { type ColumnProfile, suggestMappings } from "../src/agents/field-mapping.ts";
import { exactCost, type LlmMesh, startLlmMesh, tenantOf } from "./support/llm-mesh.ts";

/**
 * The mapper's second opinion through a recorded provider: an OpenAI-compatible endpoint on
 * loopback that answers every request with the chat completion in
 * fixtures/mapping-refinement.chat-completion.json (the shape gpt-4o-mini returns, token usage
 * included) and keeps what it was sent. The agent runs as its own process, as deployed.
 */
const RECORDED = JSON.parse(
  readFileSync(new URL("fixtures/mapping-refinement.chat-completion.json", import.meta.url), "utf8"),
) as { model: string; usage: { prompt_tokens: number; completion_tokens: number } };
const MODEL = RECORDED.model;
const PRICE = { input: "0.15", output: "0.6", inputMicros: 150_000, outputMicros: 600_000 };

const COLUMNS: ColumnProfile[] = [
  { source: "Server Name", samples: ["web-01", "db-02", "app-03", "web-04", "db-05"] },
  { source: "Memory (MB)", samples: ["16384", "8192", "32768", "4096", "16384"] },
  { source: "Status", samples: ["running", "stopped", "retired", "running", "planned"] },
  { source: "Tier", samples: ["1", "2", "3", "1", "2"] },
  { source: "Fld 7", samples: ["Payroll", "CRM", "Intranet", "Payroll", "Shop"] },
  { source: "Svc", samples: ["pay-web", "crm-db", "intra", "pay-api", "shop-fe"] },
  { source: "Zone", samples: ["Prod", "Dev", "Test", "Prod", "Prod"] },
  { source: "Notes", samples: ["migrate later", "check licence"] },
];
const heuristic = new Map(suggestMappings(COLUMNS).suggestions.map((s) => [s.source, s]));

interface SentColumn {
  source: string;
  header: { words: Record<string, string>; unit?: string };
  value_profile: { values_seen: number; distinct_share: number; kinds: Record<string, number>; shapes: string[] };
  candidates: Array<{ target: string; confidence: number }>;
}

let server: Server;
const sent: Array<{ model: string; user: string }> = [];
let mesh: LlmMesh;
const tenant = tenantOf("recorded");
const admin = tenantOf("ops", ["admin"]);

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
      res.writeHead(404).end();
      return;
    }
    const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    sent.push({ model: body.model, user: body.messages.find((m: { role: string }) => m.role === "user").content });
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(RECORDED));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  mesh = await startLlmMesh({
    LLM_PROVIDER: "openai",
    LLM_BASE_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    LLM_MODEL: MODEL,
    LLM_TIMEOUT_MS: "5000",
    LLM_MAX_RETRIES: "0",
  });
  await mesh.telemetry.setPricing(
    {
      price: {
        provider: "openai",
        model: MODEL,
        inputUsdPerMillion: PRICE.input,
        outputUsdPerMillion: PRICE.output,
        effectiveFrom: "2026-01-01",
      },
    },
    { tenant: admin },
  );
});

afterAll(async () => {
  await mesh?.stop();
  await new Promise((resolve) => server?.close(resolve));
});

describe("the mapper's second opinion from a recorded provider", () => {
  let response: Awaited<ReturnType<LlmMesh["agent"]["mapFields"]>>;
  const mapping = (source: string) => response.mappings.find((m) => m.source === source);

  beforeAll(async () => {
    response = await mesh.agent.mapFields(
      { flowId: "flow_recorded", columns: COLUMNS.map((c) => ({ ...c, samples: [...c.samples] })) },
      { tenant },
    );
  });

  it("sends only the columns the mapper is unsure of, each with header, value profile and candidates", () => {
    expect(sent).toHaveLength(1);
    const prompt = JSON.parse(sent[0]?.user ?? "{}") as { columns: SentColumn[] };
    // Confident mappings (Server Name, Memory) and a fully read custom column (Notes) stay home.
    expect(prompt.columns.map((c) => c.source)).toEqual(["Status", "Tier", "Fld 7", "Svc", "Zone"]);
    const by = new Map(prompt.columns.map((c) => [c.source, c]));
    expect(by.get("Status")).toMatchObject({
      header: { words: { state: "status" } },
      value_profile: { values_seen: 5, kinds: { power: 0.6 } },
      candidates: [{ target: "power_state", confidence: heuristic.get("Status")?.confidence }],
    });
    expect(by.get("Tier")?.candidates).toEqual(heuristic.get("Tier")?.alternatives);
    expect(by.get("Tier")?.value_profile).toMatchObject({ kinds: { number: 1, integer: 1 } });
    expect(by.get("Zone")?.value_profile.kinds).toMatchObject({ env: 1 });
    for (const column of prompt.columns) {
      expect(column.header, column.source).toBeDefined();
      expect(column.value_profile.shapes.length, column.source).toBeGreaterThan(0);
      expect(column.candidates, column.source).toBeInstanceOf(Array);
    }
    // A profile, never the values.
    for (const raw of ["web-01", "Payroll", "pay-web", "migrate later"]) expect(sent[0]?.user).not.toContain(raw);
  });

  it("applies the answer as a second opinion and never overrides a confident mapping", () => {
    expect(response.notices).toEqual([]);
    for (const source of ["Server Name", "Memory (MB)", "Notes"]) {
      expect(mapping(source), source).toMatchObject({
        target: heuristic.get(source)?.target ?? "",
        confidence: heuristic.get(source)?.confidence,
        reason: heuristic.get(source)?.reason,
      });
    }
    // Confirms the mapper's pick: more confident, the reason says who agreed.
    expect(mapping("Status")).toMatchObject({ target: "power_state", confidence: 0.84 });
    expect(mapping("Status")?.reason).toMatch(/; confirmed by LLM \(gpt-4o-mini-2024-07-18\): /);
    // Picks among the mapper's candidates.
    expect(mapping("Tier")).toMatchObject({ target: "criticality", confidence: 0.88 });
    // No candidates at all: the model's word is the only one.
    expect(mapping("Fld 7")).toMatchObject({ target: "application_name", confidence: 0.82 });
    // "asset_name" is Server Name's, a confident mapping: ignored.
    expect(mapping("Svc")).toMatchObject({ target: "", confidence: 0 });
    // Outside the candidates: applied below the review threshold, the mapper's pick kept beside it.
    expect(mapping("Zone")).toMatchObject({ target: "environment", confidence: 0.79 });
    expect(mapping("Zone")?.alternatives[0]).toMatchObject({ target: "location", confidence: 0.6 });
  });

  it("records the call's usage and cost as for any provider call", async () => {
    const rows = await waitFor("the usage record", async () => {
      const { rows } = await sql<{ agent: string; model: string; input_tokens: number; output_tokens: number }>`
        select agent, model, input_tokens, output_tokens, outcome from llm_usage_records
        where client_account_id = ${tenant.clientAccountId}`.execute(mesh.telemetryDb.db);
      return rows.length === 1 ? rows : undefined;
    });
    expect(rows[0]).toMatchObject({
      agent: "field_mapping",
      model: MODEL,
      input_tokens: RECORDED.usage.prompt_tokens,
      output_tokens: RECORDED.usage.completion_tokens,
      outcome: "success",
    });
    const usage = await mesh.telemetry.getUsage({ groupBy: "model" }, { tenant });
    const cost = exactCost(
      RECORDED.usage.prompt_tokens,
      RECORDED.usage.completion_tokens,
      PRICE.inputMicros,
      PRICE.outputMicros,
    );
    expect(usage.rows).toEqual([
      expect.objectContaining({
        key: MODEL,
        provider: "openai",
        calls: 1n,
        inputTokens: BigInt(RECORDED.usage.prompt_tokens),
        outputTokens: BigInt(RECORDED.usage.completion_tokens),
        costUsd: cost,
      }),
    ]);
    expect(usage.total?.costUsd).toBe(cost);
  });
});
