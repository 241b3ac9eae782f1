import { type FakeLlmServer, startFakeLlmServer } from "./fake-llm-server.ts";

/** Anthropic's `/v1/messages` on loopback (configure LLM_BASE_URL = baseUrl). */
export function startFakeAnthropicServer(): Promise<FakeLlmServer> {
  return startFakeLlmServer({
    path: "/v1/messages",
    decode: (body) => {
      const messages = body.messages as Array<{ role: string; content: string }>;
      const config = body.output_config as { format?: { schema?: unknown } } | undefined;
      return {
        model: String(body.model),
        user: messages.find((m) => m.role === "user")?.content ?? "",
        schema: config?.format?.schema,
      };
    },
    ok: (model, text, usage, refusal) => ({
      id: `msg_${Math.random().toString(36).slice(2)}`,
      type: "message",
      role: "assistant",
      model,
      content: [{ type: "text", text }],
      stop_reason: refusal ? "refusal" : "end_turn",
      stop_sequence: null,
      usage: {
        input_tokens: usage.inputTokens,
        output_tokens: usage.outputTokens,
        cache_creation_input_tokens: null,
        cache_read_input_tokens: null,
      },
    }),
    error: (status) => ({
      type: "error",
      error: { type: status === 429 ? "rate_limit_error" : "api_error", message: `fake error ${status}` },
    }),
  });
}
