import type { TenantContext } from "@migrate/grpc";
import type { Logger } from "@migrate/logger";
import type { BudgetGuard } from "../usage/budget-guard.ts";
import type { UsageRecorder } from "../usage/usage-recorder.ts";
import type { CircuitBreaker } from "./circuit-breaker.ts";
import type { ConcurrencyLimiter } from "./concurrency-limiter.ts";
import type { LlmMetrics } from "./llm-metrics.ts";
import type { Completion, LlmAgent, LlmProvider } from "./llm-provider.ts";
import type { LlmSettings } from "./llm-settings.ts";
import { classifyProviderError } from "./provider-errors.ts";
import { type Interpretation, parseAnswer, type RefinementTask } from "./refinement-task.ts";
import { retryDelayMs } from "./retry-policy.ts";

/** Who asks, for which flow, and until when (the gRPC call's signal). */
export interface RefinementCall {
  tenant: TenantContext;
  flowId: string;
  signal: AbortSignal;
}

/** The provider's answer when it was usable; a notice for the user when it was not. */
export interface Refinement<T> {
  value?: T;
  /** The model that answered, for the reasons shown to users. */
  model?: string;
  notice?: string;
}

export interface LlmRefiner {
  /** The model `agent` asks, or undefined when the agent stays heuristic. */
  modelFor(agent: LlmAgent): string | undefined;
  readonly providerLabel: string;
  readonly refineBelowConfidence: number;
  refine<T>(call: RefinementCall, task: RefinementTask<T>): Promise<Refinement<T>>;
}

/** What the user reads on the response when the heuristic answer stood in for the LLM's. */
export const NOTICES = {
  budget: "LLM budget exhausted; heuristic provider used",
  circuitOpen: "LLM provider unavailable; heuristic provider used",
  failed: (kind: string) => `LLM provider call failed (${kind}); heuristic result used`,
  rejected: (outcome: string) => `LLM answer rejected (${outcome}); heuristic result used`,
} as const;

/**
 * Asks the configured provider to refine an agent's answer, and makes sure a slow, failing,
 * over-budget or confused provider never costs more than the heuristic answer would: a budget
 * check first (cached), the circuit breaker (instant fallback while open), a concurrency limit,
 * a timeout per attempt, retries with backoff on retryable errors only, and validation of the
 * answer. Every attempt is metered and reported as a usage event; every fallback is counted.
 */
export function createLlmRefiner(deps: {
  settings: LlmSettings;
  provider: LlmProvider;
  breaker: CircuitBreaker;
  limiter: ConcurrencyLimiter;
  metrics: LlmMetrics;
  usage: UsageRecorder;
  budget?: BudgetGuard;
  logger: Logger;
}): LlmRefiner {
  const { settings, provider, breaker, limiter, metrics, usage, budget, logger } = deps;

  const fallback = <T>(agent: LlmAgent, reason: string, notice: string): Refinement<T> => {
    metrics.fallback(agent, reason);
    return { notice };
  };

  async function attempts<T>(call: RefinementCall, task: RefinementTask<T>, model: string): Promise<Refinement<T>> {
    const facts = { tenant: call.tenant, flowId: call.flowId, agent: task.agent, model };
    for (let retry = 1; ; retry++) {
      if (call.signal.aborted) return {};
      if (!breaker.tryAcquire()) return fallback(task.agent, "circuit_open", NOTICES.circuitOpen);
      const timeout = AbortSignal.timeout(settings.timeoutMs);
      const started = performance.now();
      let completion: Completion;
      try {
        completion = await provider.complete({
          model,
          system: task.system,
          user: task.user,
          schemaName: task.schemaName,
          jsonSchema: task.jsonSchema,
          maxOutputTokens: settings.maxOutputTokens,
          signal: AbortSignal.any([call.signal, timeout]),
        });
      } catch (raw) {
        const latencyMs = performance.now() - started;
        if (call.signal.aborted && !timeout.aborted) {
          // The caller left; nobody will read a refinement, and the provider is not to blame.
          breaker.release();
          usage.call({ ...facts, outcome: "cancelled", inputTokens: 0, outputTokens: 0, latencyMs });
          return {};
        }
        const error = classifyProviderError(raw, timeout.aborted);
        if (error.retryable) breaker.onFailure();
        else breaker.release();
        usage.call({ ...facts, outcome: error.kind, inputTokens: 0, outputTokens: 0, latencyMs });
        const delay = retryDelayMs(error, retry, settings.retry);
        if (delay === undefined) {
          logger.warn({ agent: task.agent, model, error_kind: error.kind, status: error.status }, "LLM call failed");
          return fallback(task.agent, error.kind, NOTICES.failed(error.kind));
        }
        if (!(await sleep(delay, call.signal))) return {};
        continue;
      }
      breaker.onSuccess();
      const latencyMs = performance.now() - started;
      const result = interpret(task, completion);
      usage.call({
        ...facts,
        outcome: result.ok ? "success" : result.outcome,
        inputTokens: completion.inputTokens,
        outputTokens: completion.outputTokens,
        latencyMs,
      });
      if (!result.ok) {
        // The detail names a field or a row, never inventory values.
        logger.warn(
          { agent: task.agent, model, outcome: result.outcome, detail: result.detail },
          "LLM answer rejected",
        );
        return fallback(task.agent, result.outcome, NOTICES.rejected(result.outcome));
      }
      return { value: result.value, model };
    }
  }

  return {
    modelFor: (agent) => (provider.kind === "heuristic" ? undefined : settings.models[agent]),
    providerLabel: provider.label,
    refineBelowConfidence: settings.refineBelowConfidence,
    async refine(call, task) {
      const model = provider.kind === "heuristic" ? undefined : settings.models[task.agent];
      if (!model) return {};
      if (budget && (await budget.isExhausted(call.tenant))) {
        if (budget.firstExhaustionOf(call.tenant, call.flowId)) {
          usage.refusal({
            tenant: call.tenant,
            flowId: call.flowId,
            agent: task.agent,
            model,
            outcome: "budget_exhausted",
            inputTokens: 0,
            outputTokens: 0,
            latencyMs: 0,
          });
        }
        return fallback(task.agent, "budget_exhausted", NOTICES.budget);
      }
      // While open, fall back before queueing behind the concurrency limit: flows keep their speed.
      if (breaker.rejectsNow()) return fallback(task.agent, "circuit_open", NOTICES.circuitOpen);
      try {
        return await limiter.run(() => attempts(call, task, model), call.signal);
      } catch (error) {
        if (call.signal.aborted) return {};
        throw error;
      }
    },
  };
}

function interpret<T>(task: RefinementTask<T>, completion: Completion): Interpretation<T> {
  if (completion.refusal) return { ok: false, outcome: "refusal", detail: "the model declined" };
  if (completion.text === null) return { ok: false, outcome: "invalid_json", detail: "no answer text" };
  const parsed = parseAnswer(completion.text);
  if (!parsed.ok) return { ok: false, outcome: "invalid_json", detail: "the answer is not JSON" };
  return task.interpret(parsed.value);
}

/** Waits `ms`; false when `signal` aborted first. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
