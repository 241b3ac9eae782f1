import { fromJson, type JsonValue, type MessageInitShape } from "@bufbuild/protobuf";
import type { Kysely } from "@migrate/db";
import { MeshError } from "@migrate/errors";
import {
  type ApplicationEdgeSchema,
  ApplicationStrategySchema,
  type DependencyEdgeSchema,
  type IssueSchema,
  type WaveSchema,
} from "@migrate/gen/agent/v1/agent_pb";
import type { ApplicationViewSchema } from "@migrate/gen/flow/v1/flow_pb";
import type { FlowDatabase } from "../db/flow-database.ts";
import { decodePageCursor, pageLimit, toPage } from "./page-cursor.ts";

// Every function here takes a flow id that getFlow already resolved within the caller's tenant.

export const SEVERITIES = ["info", "warning", "error"] as const;

export interface PageRequest {
  limit: number;
  cursor: string;
}

/** The flow's server-to-server edges, by id, one keyset page at a time. */
export async function listDependencyPage(db: Kysely<FlowDatabase>, flowId: string, request: PageRequest) {
  const limit = pageLimit(request.limit);
  const after = request.cursor ? decodePageCursor("dependencies", request.cursor) : 0;
  const scope = db.selectFrom("dependencies").where("flow_id", "=", flowId);
  const [rows, count] = await Promise.all([
    scope
      .selectAll()
      .where("id", ">", after)
      .orderBy("id")
      .limit(limit + 1)
      .execute(),
    scope.select((eb) => eb.fn.countAll<number>().as("total")).executeTakeFirstOrThrow(),
  ]);
  const page = toPage("dependencies", rows, limit, (row) => row.id);
  const edges: MessageInitShape<typeof DependencyEdgeSchema>[] = page.items.map((row) => ({
    sourceRowNumber: BigInt(row.source_row_number),
    sourceLabel: row.source_label,
    targetRowNumber: BigInt(row.target_row_number),
    targetLabel: row.target_label,
    port: row.port,
    protocol: row.protocol,
    serviceKind: row.service_kind,
    connectionCount: row.connection_count,
    external: row.external,
  }));
  return { edges, nextCursor: page.nextCursor, total: BigInt(count.total) };
}

/** The severity filter of ListIssues: empty for all, else one of SEVERITIES. */
export function issueSeverity(severity: string): string {
  const name = severity.trim().toLowerCase();
  if (name === "" || (SEVERITIES as readonly string[]).includes(name)) return name;
  throw new MeshError("INVALID_ARGUMENT", `unknown severity "${severity.slice(0, 32)}": use info, warning or error`, {
    field: "severity",
    value: severity.slice(0, 32),
    valid: [...SEVERITIES],
  });
}

/** The flow's issues in the order they were found, optionally of one severity. */
export async function listIssuePage(
  db: Kysely<FlowDatabase>,
  flowId: string,
  request: PageRequest & { severity: string },
) {
  const severity = issueSeverity(request.severity);
  const limit = pageLimit(request.limit);
  const after = request.cursor ? decodePageCursor("issues", request.cursor) : 0;
  let scope = db.selectFrom("issues").where("flow_id", "=", flowId);
  if (severity) scope = scope.where("severity", "=", severity as "info" | "warning" | "error");
  const [rows, count] = await Promise.all([
    scope
      .selectAll()
      .where("id", ">", after)
      .orderBy("id")
      .limit(limit + 1)
      .execute(),
    scope.select((eb) => eb.fn.countAll<number>().as("total")).executeTakeFirstOrThrow(),
  ]);
  const page = toPage("issues", rows, limit, (row) => Number(row.id));
  const issues: MessageInitShape<typeof IssueSchema>[] = page.items.map((row) => ({
    rowNumber: BigInt(row.row_number),
    column: row.column_name,
    field: row.field,
    value: row.value,
    severity: row.severity,
    code: row.code,
    message: row.message,
  }));
  return { issues, nextCursor: page.nextCursor, total: BigInt(count.total) };
}

/** Every application with its members, roll-up strategy and wave, plus the edges between them. */
export async function listApplicationViews(db: Kysely<FlowDatabase>, flowId: string) {
  const [apps, members, edges] = await Promise.all([
    db.selectFrom("applications").selectAll().where("flow_id", "=", flowId).orderBy("key").execute(),
    db
      .selectFrom("assets")
      .select((eb) => ["application_key", eb.fn<number[]>("array_agg", [eb.ref("row_number")]).as("row_numbers")])
      .where("flow_id", "=", flowId)
      .where("duplicate_of", "is", null)
      .where("application_key", "is not", null)
      .groupBy("application_key")
      .execute(),
    db
      .selectFrom("application_edges")
      .selectAll()
      .where("flow_id", "=", flowId)
      .orderBy("source_key")
      .orderBy("target_key")
      .execute(),
  ]);
  const rowsOf = new Map(members.map((m) => [m.application_key, [...m.row_numbers].sort((a, b) => a - b)]));
  const applications: MessageInitShape<typeof ApplicationViewSchema>[] = apps.map((row) => ({
    application: {
      key: row.key,
      name: row.name,
      assetRowNumbers: (rowsOf.get(row.key) ?? []).map(BigInt),
      method: row.method,
      confidence: row.confidence,
      reason: row.reason,
    },
    strategy: row.strategy
      ? fromJson(ApplicationStrategySchema, row.strategy as JsonValue, { ignoreUnknownFields: true })
      : undefined,
    wave: row.wave ?? 0,
  }));
  const applicationEdges: MessageInitShape<typeof ApplicationEdgeSchema>[] = edges.map((row) => ({
    sourceKey: row.source_key,
    targetKey: row.target_key,
    edgeCount: row.edge_count,
    serviceKinds: row.service_kinds,
  }));
  return { applications, applicationEdges };
}

/** The migration waves in the order they run. */
export async function listWaveMessages(db: Kysely<FlowDatabase>, flowId: string) {
  const rows = await db.selectFrom("waves").selectAll().where("flow_id", "=", flowId).orderBy("number").execute();
  const waves: MessageInitShape<typeof WaveSchema>[] = rows.map((row) => ({
    number: row.number,
    applicationKeys: row.application_keys,
    rationale: row.rationale,
  }));
  return { waves };
}
