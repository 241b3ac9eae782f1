import { type Kysely, sql } from "@migrate/db";
import type { LearningDatabase } from "../db/learning-database.ts";
import { toVectorLiteral } from "../embeddings/embedder.ts";
import type { PatternType } from "./pattern-types.ts";
import { scopeSql, type TenantScope } from "./tenant-scope.ts";

/** One header to recommend for: its normalised key and its embedding. */
export interface HeaderProbe {
  sourceKey: string;
  vector: Float32Array;
}

export interface EvidenceRow {
  pattern_id: string;
  source_text: string;
  target: string;
  confidence: number;
  evidence_count: number;
  engagement_id: string | null;
  similarity: number;
  exact: boolean;
}

export interface TargetRecommendation {
  target: string;
  confidence: number;
  evidence: EvidenceRow[];
}

const EVIDENCE_PER_TARGET = 5;

// Below this many headers per statement, a second connection costs more than it saves.
const MIN_HEADERS_PER_STATEMENT = 4;

/**
 * For every header: the tenant's patterns whose normalised source equals the header's, plus its
 * nearest patterns by cosine distance (HNSW, iterative scan), both through a lateral join over the
 * headers. A large import is split over up to `parallelism` statements on separate connections,
 * so Postgres searches on several cores. Returns the evidence rows per header, in header order.
 */
export async function findEvidence(
  db: Kysely<LearningDatabase>,
  options: {
    scope: TenantScope;
    patternType: PatternType;
    probes: readonly HeaderProbe[];
    model: string;
    candidates: number;
    parallelism: number;
  },
): Promise<EvidenceRow[][]> {
  const { scope, patternType, probes } = options;
  const parts = Math.max(1, Math.min(options.parallelism, Math.floor(probes.length / MIN_HEADERS_PER_STATEMENT)));
  const size = Math.ceil(probes.length / parts);
  const chunks = await Promise.all(
    Array.from({ length: parts }, async (_, part) => {
      const slice = probes.slice(part * size, (part + 1) * size);
      const query = evidenceQuery(scope, patternType, slice, options.model, options.candidates);
      const { rows } = await query.execute(db);
      const perHeader: EvidenceRow[][] = slice.map(() => []);
      for (const { ord, ...row } of rows) perHeader[Number(ord) - 1]?.push(row);
      return perHeader;
    }),
  );
  return chunks.flat();
}

/**
 * The statement behind `findEvidence`, exposed so the benchmark can run the very same SQL
 * directly against Postgres as the service's baseline.
 */
export function evidenceQuery(
  scope: TenantScope,
  patternType: PatternType,
  probes: readonly HeaderProbe[],
  model: string,
  candidates: number,
) {
  return sql<EvidenceRow & { ord: number }>`
    with q as (
      select h.ord, h.source_key, h.vec::vector as vec
      from unnest(${probes.map((p) => p.sourceKey)}::text[], ${probes.map((p) => toVectorLiteral(p.vector))}::text[])
        with ordinality as h(source_key, vec, ord)
    )
    select q.ord, m.*
    from q cross join lateral (
      select p.id as pattern_id, p.source_text, p.target, p.confidence, p.evidence_count, p.engagement_id,
             1::float8 as similarity, true as exact
      from learned_patterns p
      where ${scopeSql(scope, "p")} and p.pattern_type = ${patternType} and p.source_key = q.source_key
      union all
      select * from (
        select p.id, p.source_text, p.target, p.confidence, p.evidence_count, p.engagement_id,
               1 - (p.embedding <=> q.vec), false
        from learned_patterns p
        where ${scopeSql(scope, "p")} and p.pattern_type = ${patternType} and p.embedding_model = ${model}
        order by p.embedding <=> q.vec
        limit ${candidates}
      ) nearest
    ) m`;
}

/**
 * Evidence → ranked targets. An exact match counts with its pattern's confidence; a near one with
 * confidence × similarity² (a near spelling is a hint, never as sure as the tenant's own words),
 * and only at or above `minSimilarity`. A target's confidence is its strongest evidence's.
 */
export function rankTargets(
  evidence: readonly EvidenceRow[],
  topK: number,
  minSimilarity: number,
): TargetRecommendation[] {
  const byPattern = new Map<string, EvidenceRow>();
  for (const row of evidence) {
    const seen = byPattern.get(row.pattern_id);
    if (!seen || (row.exact && !seen.exact)) byPattern.set(row.pattern_id, row);
  }
  const byTarget = new Map<string, Array<{ row: EvidenceRow; score: number }>>();
  for (const row of byPattern.values()) {
    if (!row.exact && row.similarity < minSimilarity) continue;
    const score = row.exact ? row.confidence : row.confidence * row.similarity * row.similarity;
    const list = byTarget.get(row.target) ?? [];
    list.push({ row, score });
    byTarget.set(row.target, list);
  }
  const ranked = [...byTarget.entries()].map(([target, list]) => {
    list.sort((a, b) => b.score - a.score || Number(b.row.exact) - Number(a.row.exact));
    return {
      target,
      confidence: list[0]?.score ?? 0,
      exact: list.some((item) => item.row.exact),
      evidenceCount: list.reduce((sum, item) => sum + item.row.evidence_count, 0),
      evidence: list.slice(0, EVIDENCE_PER_TARGET).map((item) => item.row),
    };
  });
  ranked.sort(
    (a, b) =>
      b.confidence - a.confidence ||
      Number(b.exact) - Number(a.exact) ||
      b.evidenceCount - a.evidenceCount ||
      a.target.localeCompare(b.target),
  );
  return ranked.slice(0, topK).map(({ target, confidence, evidence }) => ({ target, confidence, evidence }));
}
