import type { Kysely } from "@migrate/db";
import { MeshError } from "@migrate/errors";
import type { AgentService } from "@migrate/gen/agent/v1/agent_pb";
import type { CallContext, ServiceImpl } from "@migrate/grpc";
import { AGENT_CATALOGUE } from "../agents/agent-catalogue.ts";
import { discoverApplications, discoveryAsset, discoveryEdge } from "../agents/application-discovery.ts";
import { BatchBudget, DEFAULT_BATCH_BUDGET_MS } from "../agents/batch-budget.ts";
import { type AssetRef, type DependencyEdge, dependencyAnalysis } from "../agents/dependency-analysis.ts";
import { findDuplicates } from "../agents/duplicate-detection.ts";
import { suggestMappings } from "../agents/field-mapping.ts";
import { planMigration } from "../agents/migration-planning.ts";
import { cleansingSteps } from "../agents/record-cleansing.ts";
import type { MappingIndex, RawRecord } from "../agents/record-mapping.ts";
import { validationSteps } from "../agents/record-validation.ts";
import { recommendStrategy, type StrategyAsset } from "../agents/strategy-recommendation.ts";
import type { AgentDatabase } from "../db/agent-database.ts";
import type { LlmAgent } from "../providers/llm-provider.ts";
import type { LlmRefiner, RefinementCall } from "../providers/llm-refiner.ts";
import { refineClassifications } from "../providers/tasks/classification-refinement.ts";
import { refineMappings } from "../providers/tasks/mapping-refinement.ts";
import { refineRationales } from "../providers/tasks/strategy-refinement.ts";
import type { AgentMetrics } from "./agent-metrics.ts";
import { type AgentRun, checkListSize, MAX_BATCH_RECORDS, MAX_FLOW_ITEMS, runAgent } from "./agent-runs.ts";
import { assetDocument, recordsFrom, strategyAssetFrom, strategyJson } from "./asset-documents.ts";
import { type FetchLearnedHints, noLearnedHints } from "./fetch-learned-hints.ts";
import { assetRefOf, connectionOf, edgeOf, edgesJson, listReader } from "./graph-documents.ts";
import { issueOut, mappingIndexFrom } from "./message-mappers.ts";

/**
 * The `AgentService` handlers: validate the request, run the pure agent, let the configured LLM
 * provider refine what the rules were unsure of (field mapping, classification, strategy
 * rationale; nothing without a provider), record the run.
 * `addService` has already refused calls without tenant context.
 */
export function agentServiceImpl(deps: {
  db: Kysely<AgentDatabase>;
  refiner: LlmRefiner;
  metrics?: AgentMetrics;
  /** The tenant's learned patterns for MapFields (default: none). */
  learnedHints?: FetchLearnedHints;
  /** Time one batch call may spend on its records (AGENT_BATCH_BUDGET_MS; default 20 s). */
  batchBudgetMs?: number;
}): ServiceImpl<typeof AgentService.method> {
  const { db, refiner, metrics } = deps;
  const budgetMs = deps.batchBudgetMs ?? DEFAULT_BATCH_BUDGET_MS;
  /** One budget per call, shared by the agents it runs; its loops yield to the event loop as they go. */
  const budgetFor = (ctx: CallContext, work: string) => new BatchBudget({ work, budgetMs, signal: ctx.signal });
  const fetchLearnedHints = deps.learnedHints ?? noLearnedHints;
  const run = <T>(ctx: CallContext, agentRun: AgentRun<T>) => runAgent(db, ctx, agentRun, metrics);
  const refinementCall = (ctx: CallContext, flowId: string): RefinementCall => ({
    tenant: ctx.tenant,
    flowId,
    signal: ctx.signal,
  });
  const validation = async (budget: BatchBudget, index: MappingIndex, records: readonly RawRecord[]) => {
    const result = await budget.run(validationSteps(index, records));
    return {
      issues: result.issues.map(issueOut),
      quality: result.quality.map((q) => ({ rowNumber: BigInt(q.row), score: q.score })),
      personalDataColumns: result.personalDataColumns,
    };
  };
  const cleanse = async (
    ctx: CallContext,
    budget: BatchBudget,
    flowId: string,
    index: MappingIndex,
    records: readonly RawRecord[],
  ) => {
    const result = await budget.run(cleansingSteps(index, records));
    const { notices } = await refineClassifications(refiner, refinementCall(ctx, flowId), result.assets);
    return { ...result, notices, changes: Map.groupBy(result.changes, (change) => change.row) };
  };
  type Cleansed = Awaited<ReturnType<typeof cleanse>>;
  /** The CleanseRecords answer; with `strategies`, each document also carries its recommendation. */
  const cleansingOut = (cleansed: Cleansed, strategies?: Recommended) => {
    const byRow = new Map(strategies?.recommendations.map((r) => [r.row, r]));
    return {
      notices: [...cleansed.notices, ...(strategies?.notices ?? [])],
      assets: cleansed.assets.map((asset) => {
        const recommendation = byRow.get(asset.row);
        return {
          ...assetDocument(asset, cleansed.changes.get(asset.row) ?? []),
          strategyJson: recommendation ? strategyJson(recommendation) : "",
        };
      }),
      issues: cleansed.issues.map(issueOut),
    };
  };
  /** Each asset's strategy, its rationale refined by the LLM provider when one is configured. */
  const recommend = async (ctx: CallContext, budget: BatchBudget, flowId: string, assets: readonly StrategyAsset[]) => {
    const pairs = await budget.run(strategySteps(assets));
    const { notices } = await refineRationales(refiner, refinementCall(ctx, flowId), pairs);
    return { recommendations: pairs.map((pair) => pair.recommendation), notices };
  };
  type Recommended = Awaited<ReturnType<typeof recommend>>;
  return {
    async listAgents() {
      return {
        agents: AGENT_CATALOGUE.map((agent) => {
          const model = refiner.modelFor(agent.name as LlmAgent);
          return { ...agent, provider: model ? `${refiner.providerLabel}:${model}` : agent.provider };
        }),
      };
    },

    mapFields: (request, ctx) =>
      run(ctx, {
        agent: "field_mapping",
        flowId: request.flowId,
        inputs: { columns: request.columns.length },
        limit: MAX_BATCH_RECORDS,
        outputs: (response) => response.mappings.length,
        work: async () => {
          const columns = request.columns.map((c) => ({ source: c.source, samples: c.samples }));
          const heuristic = suggestMappings(columns, await fetchLearnedHints(ctx, columns));
          const { result, notices } = await refineMappings(
            refiner,
            refinementCall(ctx, request.flowId),
            columns,
            heuristic,
          );
          return {
            notices,
            format: result.format,
            mappings: result.suggestions.map((s) => ({
              source: s.source,
              target: s.target ?? "",
              confidence: s.confidence,
              reason: s.reason,
              unit: s.unit ?? "",
              alternatives: s.alternatives,
              sibling: s.sibling ?? "",
            })),
            learnedCount: result.suggestions.filter((s) => s.learned).length,
          };
        },
      }),

    validateRecords: (request, ctx) =>
      run(ctx, {
        agent: "validation",
        flowId: request.flowId,
        inputs: { records: request.records.length },
        limit: MAX_BATCH_RECORDS,
        outputs: (response) => response.issues.length,
        work: () =>
          validation(budgetFor(ctx, "validation"), mappingIndexFrom(request.mappings), recordsFrom(request.records)),
      }),

    cleanseRecords: (request, ctx) =>
      run(ctx, {
        agent: "cleansing",
        flowId: request.flowId,
        inputs: { records: request.records.length },
        limit: MAX_BATCH_RECORDS,
        outputs: (response) => response.assets.length,
        work: async () =>
          cleansingOut(
            await cleanse(
              ctx,
              budgetFor(ctx, "cleansing"),
              request.flowId,
              mappingIndexFrom(request.mappings),
              recordsFrom(request.records),
            ),
          ),
      }),

    // The batch is parsed once and the agents run on it (strategy on the cleansed assets, when
    // asked); each still records its own run.
    validateAndCleanseRecords: async (request, ctx) => {
      const index = mappingIndexFrom(request.mappings);
      const records = recordsFrom(request.records);
      const batch = { flowId: request.flowId, inputs: { records: records.length }, limit: MAX_BATCH_RECORDS };
      const budget = budgetFor(ctx, "validation, cleansing and strategy of this batch");
      const validated = await run(ctx, {
        ...batch,
        agent: "validation",
        outputs: (response) => response.issues.length,
        work: () => validation(budget, index, records),
      });
      const cleansed = await run(ctx, {
        ...batch,
        agent: "cleansing",
        outputs: (result) => result.assets.length,
        work: () => cleanse(ctx, budget, request.flowId, index, records),
      });
      const strategies = request.recommendStrategies
        ? await run(ctx, {
            ...batch,
            agent: "strategy",
            outputs: (response) => response.recommendations.length,
            work: () => recommend(ctx, budget, request.flowId, cleansed.assets),
          })
        : undefined;
      return { validation: validated, cleansing: cleansingOut(cleansed, strategies) };
    },

    findDuplicates: (request, ctx) =>
      run(ctx, {
        agent: "deduplication",
        flowId: request.flowId,
        inputs: { keys: request.keys.length },
        limit: MAX_FLOW_ITEMS,
        outputs: (response) => response.groups.length,
        work: () => {
          const groups = findDuplicates(
            request.keys.map((k) => ({
              row: Number(k.rowNumber),
              externalId: k.externalId,
              hostname: k.hostname,
              vmUuid: k.vmUuid,
            })),
          );
          return {
            groups: groups.map((g) => ({
              keepRowNumber: BigInt(g.keepRow),
              duplicateRowNumbers: g.duplicateRows.map(BigInt),
              matchedOn: g.matchedOn,
            })),
          };
        },
      }),

    analyzeDependencies: async function* (requests, ctx) {
      const stream = requests[Symbol.asyncIterator]();
      const first = await stream.next();
      const flowId = first.done ? "" : first.value.flowId;
      const assets = listReader("assets_json", assetRefOf);
      const connections = listReader("connections_json", connectionOf);
      const analysis = dependencyAnalysis();
      const result = await run(ctx, {
        agent: "dependency_analysis",
        flowId,
        inputs: () => ({ assets: assets.count, connections: connections.count }),
        limit: MAX_FLOW_ITEMS,
        outputs: (found) => found.edges.length,
        work: async () => {
          let connectionsStarted = false;
          for (let message = first; !message.done; message = await stream.next()) {
            const { assetsJson, connectionsJson } = sameFlow(message.value, flowId);
            if (assetsJson.length > 0) {
              if (connectionsStarted) {
                throw new MeshError(
                  "INVALID_ARGUMENT",
                  "assets_json came after connections_json: every asset chunk must come before the first connection chunk",
                  { field: "assets_json" },
                );
              }
              analysis.addAssets(assets.read(assetsJson));
              checkListSize("assets_json", assets.count, MAX_FLOW_ITEMS);
            }
            if (connectionsJson.length > 0) {
              connectionsStarted = true;
              analysis.addConnections(connections.read(connectionsJson));
            }
          }
          return analysis.result();
        },
      });
      // Answered in chunks of the size the flow sends, so no message holds the whole graph.
      for (let at = 0; at < Math.max(result.edges.length, result.issues.length); at += GRAPH_CHUNK_ITEMS) {
        yield {
          edgesJson: edgesJson(result.edges.slice(at, at + GRAPH_CHUNK_ITEMS)),
          issues: result.issues.slice(at, at + GRAPH_CHUNK_ITEMS).map(issueOut),
        };
      }
    },

    discoverApplications: async (requests, ctx) => {
      const stream = requests[Symbol.asyncIterator]();
      const first = await stream.next();
      const flowId = first.done ? "" : first.value.flowId;
      const assets = listReader("assets_json", assetRefOf);
      const edges = listReader("edges_json", edgeOf);
      return run(ctx, {
        agent: "application_discovery",
        flowId,
        inputs: () => ({ assets: assets.count, edges: edges.count }),
        limit: MAX_FLOW_ITEMS,
        outputs: (response) => response.applications.length,
        work: async () => {
          const assetRefs: AssetRef[] = [];
          const edgeList: DependencyEdge[] = [];
          for (let message = first; !message.done; message = await stream.next()) {
            const { assetsJson, edgesJson: edgeChunks } = sameFlow(message.value, flowId);
            // Each chunk's parse is dropped as soon as what discovery reads of it is kept.
            for (const ref of assets.read(assetsJson)) assetRefs.push(discoveryAsset(ref));
            for (const edge of edges.read(edgeChunks)) edgeList.push(discoveryEdge(edge));
            checkListSize("assets_json", assets.count, MAX_FLOW_ITEMS);
            checkListSize("edges_json", edges.count, MAX_FLOW_ITEMS);
          }
          const result = discoverApplications(assetRefs, edgeList);
          return {
            applications: result.applications.map(({ assetRows, ...application }) => ({
              ...application,
              assetRowNumbers: assetRows.map(BigInt),
            })),
            applicationEdges: result.applicationEdges,
          };
        },
      });
    },

    recommendStrategies: (request, ctx) =>
      run(ctx, {
        agent: "strategy",
        flowId: request.flowId,
        inputs: { assets: request.assets.length },
        limit: MAX_BATCH_RECORDS,
        outputs: (response) => response.recommendations.length,
        work: async () => {
          const { recommendations, notices } = await recommend(
            ctx,
            budgetFor(ctx, "strategy"),
            request.flowId,
            request.assets.map(strategyAssetFrom),
          );
          return {
            recommendations: recommendations.map(({ row, ...r }) => ({ ...r, rowNumber: BigInt(row) })),
            notices,
          };
        },
      }),

    planMigration: (request, ctx) =>
      run(ctx, {
        agent: "waves",
        flowId: request.flowId,
        inputs: { applications: request.applications.length, application_edges: request.applicationEdges.length },
        limit: MAX_FLOW_ITEMS,
        outputs: (response) => response.waves.length,
        work: () => {
          const seen = new Set<string>();
          const applications = request.applications.map((input, index) => {
            const key = input.application?.key ?? "";
            if (!key || seen.has(key)) {
              throw new MeshError("INVALID_ARGUMENT", `application ${index + 1} has ${key ? "a repeated" : "no"} key`, {
                field: "applications",
                value: key,
              });
            }
            seen.add(key);
            return { key, name: input.application?.name ?? key, members: input.memberStrategies };
          });
          return planMigration(applications, request.applicationEdges);
        },
      }),
  };
}

/** Each asset with its recommendation, one asset per step. */
function* strategySteps(assets: readonly StrategyAsset[]) {
  const pairs: Array<{ asset: StrategyAsset; recommendation: ReturnType<typeof recommendStrategy> }> = [];
  for (const asset of assets) {
    pairs.push({ asset, recommendation: recommendStrategy(asset) });
    yield asset.row;
  }
  return pairs;
}

/** Items per answer message of a streamed whole-flow call. */
const GRAPH_CHUNK_ITEMS = 10_000;

/** A stream's later messages may repeat the first one's flow id or leave it out, never change it. */
function sameFlow<M extends { flowId: string }>(message: M, flowId: string): M {
  if (message.flowId && message.flowId !== flowId) {
    throw new MeshError("INVALID_ARGUMENT", "flow_id changed in the middle of the stream", { field: "flow_id" });
  }
  return message;
}
