import type { Logger } from "@migrate/logger";
import { describe, expect, it } from "vitest";
import { builtinEmbedder } from "./builtin-embedder.ts";
import type { Embedder } from "./embedder.ts";
import { withFallback } from "./fallback-embedder.ts";

function recordingLogger() {
  const lines: Array<{ level: string; msg: string; obj: object }> = [];
  const at = (level: string) => (obj: object, msg: string) => lines.push({ level, msg, obj });
  return { lines, logger: { warn: at("warn"), info: at("info") } as unknown as Logger };
}

/** A provider that fails while `down` is true. */
function flakyProvider() {
  const state = { down: true, calls: 0 };
  const embedder: Embedder = {
    model: "openai:test:256",
    async embed(inputs) {
      state.calls++;
      if (state.down)
        throw Object.assign(new Error("The operation was aborted due to timeout"), { name: "TimeoutError" });
      return { model: "openai:test:256", vectors: inputs.map(() => new Float32Array(256).fill(1 / 16)) };
    },
  };
  return { state, embedder };
}

describe("withFallback", () => {
  it("answers with the built-in embedder while the provider fails, logging the outage once", async () => {
    const { lines, logger } = recordingLogger();
    const { state, embedder } = flakyProvider();
    let fallbacks = 0;
    const embed = withFallback(embedder, builtinEmbedder(), { logger, retryAfterMs: 0, onFallback: () => fallbacks++ });
    for (let i = 0; i < 5; i++) expect((await embed.embed([{ text: "Host" }])).model).toBe("builtin-hash-v1");
    expect(state.calls).toBe(5);
    expect(fallbacks).toBe(5);
    expect(lines).toEqual([
      expect.objectContaining({
        level: "warn",
        msg: "embedding provider failed; falling back to the built-in embedder",
      }),
    ]);
    expect(lines[0]?.obj).toMatchObject({ reason: "timeout", model: "openai:test:256" });

    state.down = false;
    expect((await embed.embed([{ text: "Host" }])).model).toBe("openai:test:256");
    expect(lines.map((line) => line.level)).toEqual(["warn", "info"]);
    expect(embed.model).toBe("openai:test:256");
  });

  it("leaves a failed provider alone for retryAfterMs", async () => {
    const { logger } = recordingLogger();
    const { state, embedder } = flakyProvider();
    const embed = withFallback(embedder, builtinEmbedder(), { logger, retryAfterMs: 60_000 });
    for (let i = 0; i < 3; i++) await embed.embed([{ text: "Host" }]);
    expect(state.calls).toBe(1);
  });
});
