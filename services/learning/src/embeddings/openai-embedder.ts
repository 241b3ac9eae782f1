import { EMBEDDING_DIMENSIONS } from "../patterns/pattern-types.ts";
import { normalize } from "./builtin-embedder.ts";
import type { Embedder, EmbeddingBatch, EmbeddingInput } from "./embedder.ts";

export interface OpenAiEmbedderOptions {
  /** e.g. `https://api.openai.com/v1`; `/embeddings` is appended. */
  baseUrl: string;
  apiKey: string;
  model: string;
  timeoutMs: number;
}

// Providers cap inputs per request (OpenAI: 2,048); smaller requests also fail faster.
const INPUTS_PER_REQUEST = 256;

/**
 * An OpenAI-compatible `/embeddings` client (plain fetch, bounded by `timeoutMs`). It asks for
 * `dimensions: 256`; a provider that ignores it has its vectors cut to 256 (or zero-padded) and
 * re-normalised, which keeps cosine order for Matryoshka-trained models. Throws on any failure:
 * `withFallback` decides what happens then.
 */
export function openAiEmbedder(options: OpenAiEmbedderOptions): Embedder {
  const url = `${options.baseUrl.replace(/\/+$/, "")}/embeddings`;
  const model = `openai:${options.model}:${EMBEDDING_DIMENSIONS}`;
  const request = async (texts: string[]): Promise<Float32Array[]> => {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
    const response = await fetch(url, {
      method: "POST",
      headers,
      body: JSON.stringify({
        model: options.model,
        input: texts,
        dimensions: EMBEDDING_DIMENSIONS,
        encoding_format: "float",
      }),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    if (!response.ok) {
      await response.body?.cancel();
      throw new Error(`embeddings endpoint answered HTTP ${response.status}`);
    }
    const body = (await response.json()) as { data?: Array<{ index?: number; embedding?: unknown }> };
    const data = body.data;
    if (!Array.isArray(data) || data.length !== texts.length) {
      throw new Error(
        `embeddings endpoint returned ${Array.isArray(data) ? data.length : "no"} vectors for ${texts.length} inputs`,
      );
    }
    const vectors = new Array<Float32Array>(texts.length);
    data.forEach((item, position) => {
      const index = typeof item.index === "number" ? item.index : position;
      const values = item.embedding;
      if (
        !Array.isArray(values) ||
        values.length === 0 ||
        !values.every((v) => typeof v === "number" && Number.isFinite(v))
      ) {
        throw new Error("embeddings endpoint returned a malformed vector");
      }
      if (index < 0 || index >= texts.length) throw new Error("embeddings endpoint returned an out-of-range index");
      const vector = new Float32Array(EMBEDDING_DIMENSIONS);
      vector.set((values as number[]).slice(0, EMBEDDING_DIMENSIONS));
      vectors[index] = normalize(vector);
    });
    if (vectors.some((vector) => vector === undefined)) throw new Error("embeddings endpoint skipped an input");
    return vectors;
  };

  return {
    model,
    async embed(inputs: readonly EmbeddingInput[]): Promise<EmbeddingBatch> {
      const texts = inputs.map(embeddingText);
      const vectors: Float32Array[] = [];
      for (let start = 0; start < texts.length; start += INPUTS_PER_REQUEST) {
        vectors.push(...(await request(texts.slice(start, start + INPUTS_PER_REQUEST))));
      }
      return { model, vectors };
    },
  };
}

/** What a language-model embedder reads: the text, then its context in words. */
export function embeddingText(input: EmbeddingInput): string {
  let text = input.text;
  if (input.format) text += ` | format: ${input.format}`;
  if (input.valueShape) text += ` | values: ${input.valueShape}`;
  return text;
}
