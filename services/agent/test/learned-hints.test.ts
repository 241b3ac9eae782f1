/**
 * MapFields' learned hints against a LearningService stand-in on loopback (real gRPC, real
 * deadlines): what is asked in one call, which recommendations become hints, and that a learning
 * service that hangs or is gone costs at most the deadline and one log line, never the mapping.
 */
import { PassThrough } from "node:stream";
import { Metadata } from "@grpc/grpc-js";
import { MeshError } from "@migrate/errors";
import { type GetRecommendationsRequest, LearningService } from "@migrate/gen/learning/v1/learning_pb";
import {
  addService,
  type CallContext,
  createClient,
  createMeshCredentials,
  type GrpcServerHandle,
  type ServiceImpl,
  startGrpcServer,
  type TenantContext,
} from "@migrate/grpc";
import { newMeshSecret } from "@migrate/launcher";
import { createLogger } from "@migrate/logger";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLearnedHintsFetcher } from "../src/server/fetch-learned-hints.ts";

type Mode = "answer" | "hang";
let mode: Mode = "answer";
const received: Array<{ request: GetRecommendationsRequest; tenant: TenantContext }> = [];
let server: GrpcServerHandle;

const unimplemented = async (): Promise<never> => {
  throw new MeshError("INTERNAL", "not part of this stand-in");
};
const standIn: ServiceImpl<typeof LearningService.method> = {
  listPatterns: unimplemented,
  learnFromCorrection: unimplemented,
  batchStorePatterns: unimplemented,
  recordFeedback: unimplemented,
  findSimilarPatterns: unimplemented,
  deletePattern: unimplemented,
  async getRecommendations(request, ctx) {
    received.push({ request, tenant: ctx.tenant });
    if (mode === "hang") await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
    const answers: Record<string, Array<{ target: string; confidence: number; count: number }>> = {
      srv_nm: [
        { target: "hostname", confidence: 0.857, count: 2 },
        { target: "asset_name", confidence: 0.3, count: 1 },
      ],
      mem_mb: [{ target: "memory_gb", confidence: 0.833, count: 1 }],
      // A near spelling, far below anything the agent's own rules would suggest.
      app_nm: [{ target: "application_name", confidence: 0.21, count: 1 }],
    };
    return {
      results: request.headers.map((header) => ({
        header: header.text,
        recommendations: (answers[header.text] ?? []).map((a) => ({
          target: a.target,
          confidence: a.confidence,
          evidence: [{ patternId: "p", sourceText: header.text, evidenceCount: a.count, exactMatch: true }],
        })),
      })),
      embeddingModel: "builtin-hash-v1",
    };
  },
};

const credentials = createMeshCredentials({ secret: newMeshSecret(), issuer: "test" });

beforeAll(async () => {
  const logger = createLogger({ service: "learning-stand-in", level: "fatal" });
  server = await startGrpcServer({
    host: "127.0.0.1",
    port: 0,
    serviceNames: [LearningService.typeName],
    register: (grpcServer) => addService(grpcServer, LearningService, standIn, logger, { credentials }),
  });
});
afterAll(async () => {
  await server?.shutdown(1_000);
});

const tenant: TenantContext = {
  clientAccountId: `hints_${Date.now().toString(36)}`,
  engagementId: "eng-1",
  userId: "ana",
  requestId: "r-1",
  roles: [],
};

function setup(target: string, timeoutMs = 300) {
  const lines: string[] = [];
  const destination = new PassThrough();
  destination.on("data", (chunk: Buffer) => lines.push(...chunk.toString("utf8").trim().split("\n")));
  const logger = createLogger({ service: "agent", level: "info", destination });
  const learning = createClient(LearningService, target, { credentials, maxAttempts: 1 });
  const fetch = createLearnedHintsFetcher({ learning: learning.client, logger, timeoutMs });
  const ctx: CallContext = { tenant, metadata: new Metadata(), signal: new AbortController().signal, logger };
  const warnings = () => lines.map((line) => JSON.parse(line)).filter((entry) => entry.level === "warn");
  return { fetch, ctx, warnings, close: () => learning.close() };
}

const columns = [
  { source: "srv_nm", samples: ["web01", "db01", "app01"] },
  { source: "mem_mb", samples: ["4096", "8192"] },
  { source: "", samples: ["x"] },
  { source: "app_nm", samples: ["crm"] },
  { source: "os_label", samples: ["RHEL 8"] },
];

describe("learned hints for MapFields", () => {
  it("asks once for every header with its samples and the import's context, and keeps each header's top target", async () => {
    mode = "answer";
    received.length = 0;
    const { fetch, ctx, close } = setup(`127.0.0.1:${server.port}`);
    try {
      const hints = await fetch(ctx, columns);
      expect(hints).toEqual([
        { source: "srv_nm", target: "hostname", confidence: 0.857, evidenceCount: 2 },
        { source: "mem_mb", target: "memory_gb", confidence: 0.833, evidenceCount: 1 },
      ]);
      expect(received).toHaveLength(1);
      const { request, tenant: seen } = received[0] as (typeof received)[number];
      expect(seen).toMatchObject({ clientAccountId: tenant.clientAccountId, engagementId: "eng-1", userId: "ana" });
      // The empty header would make learning refuse the whole call: it is not asked about.
      expect(request.headers.map((h) => h.text)).toEqual(["srv_nm", "mem_mb", "app_nm", "os_label"]);
      expect(request.headers[0]?.sampleValues).toEqual(["web01", "db01", "app01"]);
      expect(request.context).toMatchObject({ format: "generic", headers: ["srv_nm", "mem_mb", "app_nm", "os_label"] });
    } finally {
      close();
    }
  });

  it("goes on without hints after the deadline when learning hangs, warning once for a run of failures", async () => {
    mode = "hang";
    const { fetch, ctx, warnings, close } = setup(`127.0.0.1:${server.port}`, 300);
    try {
      for (let i = 0; i < 3; i++) {
        const started = Date.now();
        expect(await fetch(ctx, columns)).toEqual([]);
        expect(Date.now() - started).toBeLessThan(1_500);
      }
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings()).toHaveLength(1);
      expect(warnings()[0]).toMatchObject({ code: "DEADLINE_EXCEEDED", missed: 1 });
    } finally {
      close();
    }
  });

  it("goes on without hints at once when nothing listens at the learning target", async () => {
    const { fetch, ctx, warnings, close } = setup("dns:///127.0.0.1:9", 1_500);
    try {
      const started = Date.now();
      expect(await fetch(ctx, columns)).toEqual([]);
      expect(Date.now() - started).toBeLessThan(1_000);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings()[0]).toMatchObject({ code: "UNAVAILABLE" });
    } finally {
      close();
    }
  });
});
