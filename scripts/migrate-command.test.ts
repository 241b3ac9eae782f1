/**
 * Each service's migrations are a command of their own (what the chart's hook Jobs run), and a
 * service told MIGRATE_ON_START=false starts without touching its schema. Against the local
 * PostgreSQL, each run in a schema of its own, dropped afterwards.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createDb, sql } from "@migrate/db";
import { afterAll, describe, expect, it } from "vitest";

const root = new URL("../", import.meta.url).pathname;
const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const suffix = randomBytes(3).toString("hex");
const admin = createDb({ url: DATABASE_URL, schema: "public", name: "migrate-command-test" });
const schemas: string[] = [];

afterAll(async () => {
  for (const schema of schemas) await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(admin.db);
  await admin.close();
});

function run(args: string[], env: Record<string, string>, until?: RegExp) {
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", DATABASE_URL, LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (until?.test(output)) child.kill("SIGTERM");
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

async function tablesOf(schema: string): Promise<string[]> {
  const { rows } = await sql<{ table_name: string }>`
    select table_name from information_schema.tables where table_schema = ${schema} order by table_name`.execute(
    admin.db,
  );
  return rows.map((row) => row.table_name);
}

describe("services/<name>/src/migrate.ts", () => {
  it.each([
    ["flow", "flows"],
    ["agent", "agent_runs"],
    ["learning", "learned_patterns"],
    ["telemetry", "llm_usage_records"],
  ])("%s migrates its schema, then finds nothing to do", async (service, table) => {
    const schema = `mm_migrate_${service}_${suffix}`;
    schemas.push(schema);
    const first = await run([`services/${service}/src/migrate.ts`], { DATABASE_SCHEMA: schema });
    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain('"msg":"migrations applied"');
    expect(await tablesOf(schema)).toContain(table);
    const second = await run([`services/${service}/src/migrate.ts`], { DATABASE_SCHEMA: schema });
    expect(second.code, second.output).toBe(0);
    expect(second.output).toContain('"applied":[]');
    expect(second.output).toContain("schema already up to date");
  });

  it("exits 1 with the cause logged when the database cannot be reached", async () => {
    const result = await run(["services/agent/src/migrate.ts"], {
      DATABASE_URL: "postgres://postgres@127.0.0.1:1/postgres",
      DATABASE_SCHEMA: `mm_migrate_unreachable_${suffix}`,
    });
    expect(result.code).toBe(1);
    expect(result.output).toContain('"msg":"migrations failed"');
    expect(result.output).toContain("ECONNREFUSED");
  });
});

describe("MIGRATE_ON_START=false", () => {
  it("starts the service without creating its schema", async () => {
    const schema = `mm_nomigrate_agent_${suffix}`;
    schemas.push(schema);
    const result = await run(
      ["services/agent/src/main.ts"],
      {
        DATABASE_SCHEMA: schema,
        MIGRATE_ON_START: "false",
        MESH_SECRET: randomBytes(24).toString("hex"),
        METRICS_PORT: "0",
        GRPC_PORT: "0",
      },
      /agent service ready/,
    );
    expect(result.output).toContain("agent service ready");
    expect(result.output).not.toContain("migrations applied");
    expect(await tablesOf(schema)).toEqual([]);
  });
});
