import Anthropic from "@anthropic-ai/sdk";
import { jsonSchemaOutputFormat } from "@anthropic-ai/sdk/helpers/json-schema";
import type { Completion, CompletionRequest, LlmProvider } from "./llm-provider.ts";

/**
 * Anthropic's Messages API through the official SDK, with structured outputs
 * (`output_config.format` = the task's JSON schema, passed through the SDK's own transform,
 * which moves keywords Anthropic does not enforce, such as numeric ranges, into descriptions;
 * the refiner still validates them). The SDK's retries are off, as for OpenAI.
 */
export function createAnthropicProvider(options: {
  apiKey: string;
  baseURL?: string;
  label: string;
  timeoutMs: number;
}): LlmProvider {
  const client = new Anthropic({
    apiKey: options.apiKey,
    baseURL: options.baseURL,
    maxRetries: 0,
    timeout: options.timeoutMs + 1_000,
  });
  return {
    kind: "anthropic",
    label: options.label,
    async complete(request: CompletionRequest): Promise<Completion> {
      const { schema } = jsonSchemaOutputFormat(request.jsonSchema as { type: "object" });
      const message = await client.messages.create(
        {
          model: request.model,
          max_tokens: request.maxOutputTokens,
          system: request.system,
          messages: [{ role: "user", content: request.user }],
          output_config: { format: { type: "json_schema", schema } },
        },
        { signal: request.signal },
      );
      const text = message.content
        .filter((block) => block.type === "text")
        .map((block) => block.text)
        .join("");
      return {
        text: message.stop_reason === "refusal" ? null : text || null,
        refusal: message.stop_reason === "refusal" ? text || "refused" : null,
        inputTokens: message.usage?.input_tokens ?? 0,
        outputTokens: message.usage?.output_tokens ?? 0,
      };
    },
  };
}
