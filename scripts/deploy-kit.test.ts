/**
 * The operations kit in deploy/ must stay true to the code: every alert is complete and links a
 * runbook section that exists, every series an alert or a dashboard panel reads is one a service
 * exports, the Helm templates only read values that exist, and the image is Node 24 with
 * production dependencies only. (Neither Prometheus nor Grafana runs here: this is what can be
 * checked without them; the chart is rendered by the real helm in helm-chart.test.ts.)
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = new URL("../", import.meta.url).pathname;
const read = (path: string) => readFileSync(join(root, path), "utf8");

/** Every non-test TypeScript source of the libs and services, where metrics are declared. */
function sourceText(): string {
  const texts: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== "node_modules" && entry.name !== "test") walk(path);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) texts.push(read(path));
    }
  };
  for (const top of ["libs", "services"]) {
    for (const entry of readdirSync(join(root, top), { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(top, entry.name, "src"));
    }
  }
  return texts.join("\n");
}
const code = sourceText();

const PROMQL_WORDS = new Set([
  "histogram_quantile",
  "clamp_min",
  "group_left",
  "group_right",
  "label_replace",
  "label_values",
  "count_over_time",
]);

/** The metric names a PromQL expression reads (labels, strings and functions left out). */
function metricsIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, "")
    .replace(/\{[^}]*\}/g, "")
    .replace(/\b(?:by|without|on|ignoring)\s*\([^)]*\)/g, "")
    .replace(/\$__\w+/g, "")
    .replace(/\[[^\]]*\]/g, "");
  const names = stripped.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? [];
  return [...new Set(names.filter((name) => name.includes("_") && !PROMQL_WORDS.has(name)))];
}

/** True when a service exports `name` (or it is one of Node's default series, or `up`). */
function exported(name: string): boolean {
  if (name === "up" || /^(process|nodejs)_/.test(name)) return true;
  const base = name.replace(/_(bucket|count|sum)$/, "");
  return code.includes(`"${name}"`) || code.includes(`"${base}"`);
}

describe("Prometheus alert rules", () => {
  const rules = (parse(read("deploy/prometheus/alerts.yml")) as { groups: Array<{ name: string; rules: unknown[] }> })
    .groups;
  const all = rules.flatMap((group) => group.rules) as Array<Record<string, unknown>>;
  const operations = read("docs/operations.md");

  it("covers error rate, p99 latency, consumer lag, budget exhaustion and failing flows", () => {
    const names = all.map((rule) => rule.alert);
    expect(new Set(names).size).toBe(names.length);
    for (const name of [
      "GatewayHighErrorRate",
      "RpcServerErrors",
      "GatewayHighLatencyP99",
      "RpcHighLatencyP99",
      "TelemetryConsumerLag",
      "LlmBudgetExhausted",
      "FlowsFailing",
    ]) {
      expect(names).toContain(name);
    }
  });

  it.each(all.map((rule) => [rule.alert, rule] as const))("%s is complete and documented", (name, rule) => {
    expect(typeof rule.expr === "string" && rule.expr.trim().length > 0).toBe(true);
    expect(rule.for).toMatch(/^\d+[smh]$/);
    expect((rule.labels as Record<string, string>).severity).toMatch(/^(page|ticket)$/);
    const annotations = rule.annotations as Record<string, string>;
    for (const key of ["summary", "description", "runbook"]) expect(annotations[key], key).toBeTruthy();
    expect(annotations.runbook).toBe(`docs/operations.md#${String(name).toLowerCase()}`);
    expect(operations).toContain(`### ${name}\n`);
    for (const metric of metricsIn(String(rule.expr))) expect(exported(metric), metric).toBe(true);
  });
});

describe("Grafana dashboard", () => {
  const dashboard = JSON.parse(read("deploy/grafana/migrate-mesh.json")) as {
    uid: string;
    panels: Array<{
      id: number;
      type: string;
      title: string;
      gridPos: { x: number; y: number; w: number; h: number };
      targets?: Array<{ expr: string; refId: string }>;
    }>;
  };

  it("reads only series the services export", () => {
    const panels = dashboard.panels.filter((panel) => panel.type !== "row");
    expect(panels.length).toBeGreaterThan(20);
    const metrics = new Set(panels.flatMap((panel) => panel.targets ?? []).flatMap((target) => metricsIn(target.expr)));
    for (const metric of metrics) expect(exported(metric), metric).toBe(true);
    for (const wanted of [
      "gateway_http_requests_total",
      "rpc_server_duration_seconds_bucket",
      "flow_operations_total",
      "agent_execution_duration_seconds_bucket",
      "llm_tokens_total",
      "llm_cost_dollars_total",
      "telemetry_flow_events_consumer_pending",
      "db_pool_connections",
    ]) {
      expect(metrics).toContain(wanted);
    }
  });

  it("lays panels out on the 24-column grid without overlaps", () => {
    expect(new Set(dashboard.panels.map((panel) => panel.id)).size).toBe(dashboard.panels.length);
    const cells = new Set<string>();
    for (const { gridPos, title } of dashboard.panels) {
      expect(gridPos.x + gridPos.w, title).toBeLessThanOrEqual(24);
      for (let x = gridPos.x; x < gridPos.x + gridPos.w; x++) {
        for (let y = gridPos.y; y < gridPos.y + gridPos.h; y++) {
          expect(cells.has(`${x},${y}`), `${title} overlaps at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });
});

describe("Helm chart templates", () => {
  // Rendered and validated by the real helm in scripts/helm-chart.test.ts; this checks the sources.
  const chart = "deploy/helm/migrate-mesh";
  const values = parse(read(`${chart}/values.yaml`)) as Record<string, unknown>;
  const templateFiles = (dir: string): string[] =>
    readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? templateFiles(join(dir, entry.name)) : [join(dir, entry.name)],
    );
  const templates = templateFiles(`${chart}/templates`).map((path) => read(path));

  it("declares every service with its API and metrics ports", () => {
    const services = values.services as Record<string, { port: number; metricsPort: number; replicas: number }>;
    expect(Object.keys(services).sort()).toEqual(["agent", "flow", "gateway", "learning", "telemetry"]);
    for (const service of Object.values(services)) {
      expect(service.port).toBeGreaterThan(0);
      expect(service.metricsPort).toBeGreaterThan(0);
    }
  });

  it("reads only values that exist, with balanced template blocks", () => {
    for (const text of templates) {
      expect(text.split("{{").length).toBe(text.split("}}").length);
      const opened = text.match(/\{\{-?\s*(if|range|define|with)\b/g)?.length ?? 0;
      const closed = text.match(/\{\{-?\s*end\s*-?\}\}/g)?.length ?? 0;
      expect(closed).toBe(opened);
      for (const [, path] of text.matchAll(/\$?\.Values\.([A-Za-z0-9_.]+)/g)) {
        let node: unknown = values;
        for (const key of String(path).split(".")) {
          expect(node !== null && typeof node === "object" && key in (node as object), `.Values.${path}`).toBe(true);
          node = (node as Record<string, unknown>)[key];
        }
      }
    }
  });
});

describe("image", () => {
  it("is Node 24 with production dependencies only, one image for every service", () => {
    const dockerfile = read("deploy/docker/Dockerfile");
    expect(dockerfile).toMatch(/ARG NODE_VERSION=24\.\d+\.\d+/);
    expect(dockerfile).toContain("npm ci --omit=dev");
    expect(dockerfile).toContain('ENTRYPOINT ["node", "--import", "@migrate/telemetry/preload"]');
  });
});
