import { headerWords } from "@migrate/domain";
import { EMBEDDING_DIMENSIONS } from "../patterns/pattern-types.ts";
import { sourceKey } from "../patterns/source-key.ts";
import type { Embedder, EmbeddingBatch, EmbeddingInput } from "./embedder.ts";

/** Bump the version whenever the features or weights change: stored rows are then re-embedded. */
export const BUILTIN_EMBEDDER_MODEL = "builtin-hash-v1";

// Weights: the header's own spelling dominates; context only nudges (two headers of one format
// must not look alike because they share the format). Word, abbreviation and prefix weights were
// chosen on the held-out accuracy test (docs/learning.md): they let "srv_nm" find "server_name".
const TRIGRAM_WEIGHT = 1;
const WORD_WEIGHT = 1.5;
const ABBREVIATION_WEIGHT = 1.5;
const PREFIX_WEIGHT = 1.5;
const FORMAT_WEIGHT = 0.5;
const SHAPE_WEIGHT = 0.5;

/**
 * A deterministic, network-free embedding of a header (or value) in context: character 3-grams
 * of its normalised spelling, its words, each word's abbreviation key (first letter plus the next
 * consonants: "server" and "srv" both give "srv") and 3-letter prefix ("memory" and "mem"), the
 * import's format and the column's value shape, each feature hashed (FNV-1a, signed) into
 * `EMBEDDING_DIMENSIONS` and L2-normalised.
 */
export function embedBuiltin(input: EmbeddingInput): Float32Array {
  const vector = new Float32Array(EMBEDDING_DIMENSIONS);
  const add = (feature: string, weight: number) => {
    const hash = mix(fnv1a(feature));
    const slot = hash % EMBEDDING_DIMENSIONS;
    vector[slot] = (vector[slot] as number) + (hash & 0x8000_0000 ? -weight : weight);
  };
  const key = sourceKey(input.text);
  const padded = `^${key}$`;
  for (let i = 0; i + 3 <= padded.length; i++) add(`g:${padded.slice(i, i + 3)}`, TRIGRAM_WEIGHT);
  const words = headerWords(input.text);
  for (const word of words.length ? words : [key]) {
    add(`w:${word}`, WORD_WEIGHT);
    add(`a:${abbreviationKey(word)}`, ABBREVIATION_WEIGHT);
    add(`p:${word.slice(0, 3)}`, PREFIX_WEIGHT);
  }
  if (input.format) add(`f:${input.format.toLowerCase()}`, FORMAT_WEIGHT);
  if (input.valueShape) add(`v:${input.valueShape}`, SHAPE_WEIGHT);
  return normalize(vector);
}

/** "server" → "srv", "name" → "nm", "memory" → "mmr", "mb" → "mb": how people shorten words. */
export function abbreviationKey(word: string): string {
  if (/^\d+$/.test(word)) return word;
  const rest = word.slice(1).replace(/[aeiouy]/g, "");
  return (word[0] + rest.replace(/(.)\1+/g, "$1")).slice(0, 3);
}

/** The built-in embedder as an `Embedder`. */
export function builtinEmbedder(): Embedder {
  return {
    model: BUILTIN_EMBEDDER_MODEL,
    async embed(inputs: readonly EmbeddingInput[]): Promise<EmbeddingBatch> {
      return { model: BUILTIN_EMBEDDER_MODEL, vectors: inputs.map(embedBuiltin) };
    },
  };
}

/** Scales to unit length (a zero vector stays zero). */
export function normalize(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const value of vector) sum += value * value;
  const length = Math.sqrt(sum);
  if (length > 0) for (let i = 0; i < vector.length; i++) vector[i] = (vector[i] as number) / length;
  return vector;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

// FNV's low bits are weak for short keys; murmur3's finaliser spreads them before the modulo.
function mix(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
