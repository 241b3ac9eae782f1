import { type Kysely, sql } from "@migrate/db";
import type { LearningDatabase } from "../db/learning-database.ts";
import { toVectorLiteral } from "../embeddings/embedder.ts";
import { type PatternRow, patternColumnsSql, withUsage } from "./pattern-row.ts";
import type { PatternType } from "./pattern-types.ts";
import { scopeSql, type TenantScope } from "./tenant-scope.ts";

export interface SimilarPatternRow extends PatternRow {
  similarity: number;
}

/** The caller's k nearest patterns of one type (HNSW, iterative scan), nearest first. */
export async function findSimilarPatterns(
  db: Kysely<LearningDatabase>,
  options: {
    scope: TenantScope;
    patternType: PatternType;
    vector: Float32Array;
    model: string;
    k: number;
  },
): Promise<SimilarPatternRow[]> {
  const query = similarQuery(options.scope, options.patternType, options.vector, options.model, options.k);
  const { rows } = await query.execute(db);
  // relaxed_order: the index may hand neighbours back slightly out of order.
  return rows.sort((a, b) => b.similarity - a.similarity);
}

/** The statement behind `findSimilarPatterns` (the benchmark runs it directly, and as an exact scan). */
export function similarQuery(
  scope: TenantScope,
  patternType: PatternType,
  vector: Float32Array,
  model: string,
  k: number,
) {
  const literal = toVectorLiteral(vector);
  return withUsage<SimilarPatternRow>(sql`
    select ${patternColumnsSql("p")}, 1 - (p.embedding <=> ${literal}::vector) as similarity
    from learned_patterns p
    where ${scopeSql(scope, "p")} and p.pattern_type = ${patternType} and p.embedding_model = ${model}
    order by p.embedding <=> ${literal}::vector
    limit ${k}`);
}
