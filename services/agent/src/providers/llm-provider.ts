/** The agents that may ask a provider to refine their deterministic answer. */
export const LLM_AGENTS = ["field_mapping", "classification", "strategy"] as const;
export type LlmAgent = (typeof LLM_AGENTS)[number];

export type ProviderKind = "heuristic" | "openai" | "anthropic";

/** One structured request: the answer must be a JSON object matching `jsonSchema`. */
export interface CompletionRequest {
  model: string;
  system: string;
  /** The task's input, as JSON text (prompts carry no more personal data than the task needs). */
  user: string;
  schemaName: string;
  jsonSchema: Record<string, unknown>;
  maxOutputTokens: number;
  /** Aborted on the per-call timeout or when the caller gives up. */
  signal: AbortSignal;
}

/** What the provider answered and what it billed. */
export interface Completion {
  /** The answer's JSON text; null when the model produced none. */
  text: string | null;
  /** The model declined; its stated reason. */
  refusal: string | null;
  inputTokens: number;
  outputTokens: number;
}

/**
 * One way of answering a CompletionRequest. Implementations make exactly one HTTP attempt (the
 * SDKs' own retries are off) and throw a ProviderError; retries, timeouts, the circuit breaker
 * and accounting live in the refiner so every provider gets the same treatment.
 */
export interface LlmProvider {
  readonly kind: ProviderKind;
  /** The name usage is recorded and priced under (openai, anthropic, deepinfra...). */
  readonly label: string;
  complete(request: CompletionRequest): Promise<Completion>;
}

/** Why an attempt failed, as a bounded label (metrics, usage outcome). */
export type ProviderErrorKind =
  | "rate_limited"
  | "server_error"
  | "timeout"
  | "connection_error"
  | "auth_error"
  | "client_error";

/** A failed attempt, classified so the refiner knows whether to retry and when. */
export class ProviderError extends Error {
  readonly kind: ProviderErrorKind;
  readonly status: number | undefined;
  /** The provider's Retry-After, in ms, when it sent one. */
  readonly retryAfterMs: number | undefined;

  constructor(
    kind: ProviderErrorKind,
    message: string,
    options: { status?: number; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "ProviderError";
    this.kind = kind;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
  }

  /** 429, 5xx, timeouts and dropped connections may pass; 400/401/403/404/422 will not. */
  get retryable(): boolean {
    return this.kind !== "auth_error" && this.kind !== "client_error";
  }
}
