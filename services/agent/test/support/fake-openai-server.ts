import { type FakeLlmServer, startFakeLlmServer } from "./fake-llm-server.ts";

/** An OpenAI-compatible `/v1/chat/completions` on loopback (configure LLM_BASE_URL = baseUrl). */
export function startFakeOpenAiServer(): Promise<FakeLlmServer> {
  return startFakeLlmServer({
    path: "/v1/chat/completions",
    decode: (body) => {
      const messages = body.messages as Array<{ role: string; content: string }>;
      const format = body.response_format as { json_schema?: { schema?: unknown } } | undefined;
      return {
        model: String(body.model),
        user: messages.find((m) => m.role === "user")?.content ?? "",
        schema: format?.json_schema?.schema,
      };
    },
    ok: (model, text, usage, refusal) => ({
      id: `chatcmpl-${Math.random().toString(36).slice(2)}`,
      object: "chat.completion",
      created: Math.floor(Date.now() / 1_000),
      model,
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: refusal ? null : text, refusal: refusal ? text : null },
          finish_reason: "stop",
          logprobs: null,
        },
      ],
      usage: {
        prompt_tokens: usage.inputTokens,
        completion_tokens: usage.outputTokens,
        total_tokens: usage.inputTokens + usage.outputTokens,
      },
    }),
    error: (status) => ({
      error: { message: `fake error ${status}`, type: status === 429 ? "rate_limit_exceeded" : "server_error" },
    }),
  });
}
