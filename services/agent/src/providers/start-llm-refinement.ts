import { connectEvents, ensureStream, usageEventNames } from "@migrate/events";
import { TelemetryService } from "@migrate/gen/telemetry/v1/telemetry_pb";
import { createClient, type MeshCredentials } from "@migrate/grpc";
import type { Logger } from "@migrate/logger";
import type { Registry } from "@migrate/metrics";
import type { AgentConfig } from "../config.ts";
import { type BudgetGuard, createBudgetGuard } from "../usage/budget-guard.ts";
import { createUsagePublisher, type UsagePublisher } from "../usage/usage-publisher.ts";
import { createUsageRecorder } from "../usage/usage-recorder.ts";
import { createCircuitBreaker } from "./circuit-breaker.ts";
import { createConcurrencyLimiter } from "./concurrency-limiter.ts";
import { createProvider } from "./create-provider.ts";
import { createLlmMetrics } from "./llm-metrics.ts";
import { createLlmRefiner, type LlmRefiner } from "./llm-refiner.ts";
import { llmSettings } from "./llm-settings.ts";

// The budget check sits in front of every LLM call: it must be quick or be skipped (fail open).
const BUDGET_CHECK_TIMEOUT_MS = 1_000;

/**
 * Wires the LLM side of the agent service from configuration: provider, circuit breaker,
 * concurrency limit, metrics and, when a real provider is configured, the usage event
 * publisher (NATS) and the budget guard (telemetry's CheckBudget).
 */
export async function startLlmRefinement(options: {
  config: AgentConfig;
  registry: Registry;
  logger: Logger;
  credentials: MeshCredentials;
}): Promise<{ refiner: LlmRefiner; provider: string; stop(timeoutMs: number): Promise<void> }> {
  const { config, registry, logger } = options;
  const settings = llmSettings(config);
  const provider = await createProvider(settings);
  const metrics = createLlmMetrics(registry, { tenantLabels: config.METRICS_TENANT_LABELS });
  const breaker = createCircuitBreaker({
    ...settings.circuit,
    onStateChange: (state) => {
      metrics.circuitState(provider.label, state);
      logger.warn({ provider: provider.label, state }, "LLM circuit breaker changed state");
    },
  });

  let publisher: UsagePublisher | undefined;
  let budget: BudgetGuard | undefined;
  const closers: Array<(timeoutMs: number) => Promise<void>> = [];
  if (provider.kind !== "heuristic") {
    metrics.circuitState(provider.label, "closed");
    const bus = await connectEvents({ servers: config.NATS_URL, name: `agent-${config.SERVICE_INSTANCE}` });
    const names = usageEventNames({
      stream: config.USAGE_EVENTS_STREAM,
      subjectPrefix: config.USAGE_EVENTS_SUBJECT_PREFIX,
    });
    await ensureStream(bus.jsm, { name: names.stream, subjects: [names.subjects] });
    publisher = createUsagePublisher({
      bus,
      names,
      logger,
      maxQueue: config.LLM_USAGE_QUEUE_MAX,
      onDrop: metrics.usageDropped,
      onQueueSize: metrics.usageQueued,
    });
    const telemetry = createClient(TelemetryService, config.TELEMETRY_GRPC_TARGET, {
      defaultTimeoutMs: BUDGET_CHECK_TIMEOUT_MS,
      maxAttempts: 1,
      credentials: options.credentials,
    });
    budget = createBudgetGuard({
      check: (tenant) => telemetry.client.checkBudget({}, { tenant }),
      cacheMs: settings.budgetCacheMs,
      logger,
    });
    const usagePublisher = publisher;
    closers.push(async (timeoutMs) => {
      await usagePublisher.stop(timeoutMs);
      telemetry.close();
      await bus.close();
    });
    logger.info(
      { provider: provider.label, models: settings.models, usage_stream: names.stream },
      "LLM refinement enabled",
    );
  }

  const refiner = createLlmRefiner({
    settings,
    provider,
    breaker,
    limiter: createConcurrencyLimiter(settings.maxConcurrency),
    metrics,
    usage: createUsageRecorder({ provider: provider.label, metrics, publisher }),
    budget,
    logger,
  });
  return {
    refiner,
    provider: provider.label,
    stop: async (timeoutMs) => {
      for (const close of closers) await close(timeoutMs);
    },
  };
}
