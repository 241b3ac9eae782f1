import OpenAI from "openai";
import type { Completion, CompletionRequest, LlmProvider } from "./llm-provider.ts";

/**
 * Any OpenAI-compatible Chat Completions endpoint (OpenAI, DeepInfra, Ollama, vLLM) through the
 * official SDK. The SDK's retries are off: the refiner's are the only ones, so Retry-After,
 * backoff and the circuit breaker see every attempt.
 */
export function createOpenAiProvider(options: {
  apiKey: string;
  baseURL?: string;
  label: string;
  timeoutMs: number;
  jsonMode: "json_schema" | "json_object";
}): LlmProvider {
  const client = new OpenAI({
    apiKey: options.apiKey,
    baseURL: options.baseURL,
    maxRetries: 0,
    // A backstop only: the refiner aborts each attempt at its own timeout first.
    timeout: options.timeoutMs + 1_000,
  });
  return {
    kind: "openai",
    label: options.label,
    async complete(request: CompletionRequest): Promise<Completion> {
      const response = await client.chat.completions.create(
        {
          model: request.model,
          messages: [
            { role: "system", content: request.system },
            { role: "user", content: request.user },
          ],
          max_completion_tokens: request.maxOutputTokens,
          response_format:
            options.jsonMode === "json_schema"
              ? {
                  type: "json_schema",
                  json_schema: { name: request.schemaName, schema: request.jsonSchema, strict: true },
                }
              : { type: "json_object" },
        },
        { signal: request.signal },
      );
      const message = response.choices[0]?.message;
      return {
        text: message?.content ?? null,
        refusal: message?.refusal ?? null,
        inputTokens: response.usage?.prompt_tokens ?? 0,
        outputTokens: response.usage?.completion_tokens ?? 0,
      };
    },
  };
}
