/** What an embedding is computed from: the source text and a little of its context. */
export interface EmbeddingInput {
  text: string;
  /** The import's format (e.g. `rvtools_vinfo`), when known. */
  format?: string;
  /** The dominant shape of the column's sample values (see `dominantShape`), when known. */
  valueShape?: string;
}

/** A batch of embeddings and the embedder that produced them (its name and version). */
export interface EmbeddingBatch {
  model: string;
  vectors: Float32Array[];
}

/** Turns inputs into unit vectors of `EMBEDDING_DIMENSIONS`; never throws for a provider outage. */
export interface Embedder {
  /** The model id recorded per row when this embedder answers (rows of another model get re-embedded). */
  readonly model: string;
  embed(inputs: readonly EmbeddingInput[]): Promise<EmbeddingBatch>;
}

/** pgvector's text form, `[0.1,-0.2,...]` (zeros, most of a built-in vector, written as `0`). */
export function toVectorLiteral(vector: Float32Array): string {
  let text = "[";
  for (let i = 0; i < vector.length; i++) {
    const value = vector[i] as number;
    text += `${i ? "," : ""}${value === 0 || !Number.isFinite(value) ? "0" : value}`;
  }
  return `${text}]`;
}
