import { type Kysely, sql } from "@migrate/db";
import type { LearningDatabase } from "../db/learning-database.ts";
import { type Embedder, toVectorLiteral } from "../embeddings/embedder.ts";
import { confidenceSql, patternConfidence } from "./pattern-confidence.ts";
import { type PatternRow, patternColumnsSql, withUsage } from "./pattern-row.ts";
import type { CorrectionInput } from "./read-correction.ts";
import { scopeSql, type TenantScope } from "./tenant-scope.ts";

export interface StoredCorrection {
  row: PatternRow;
  merged: boolean;
}

export interface StoreResult {
  /** One per correction, in order. */
  stored: StoredCorrection[];
  /** Suggested patterns that lost confidence. */
  rejected: PatternRow[];
}

/**
 * Stores corrections as patterns: one insert for the batch, exact duplicates (same tenant,
 * engagement, type, normalised source and target) merged by `on conflict` into the existing row,
 * whose evidence grows; then one update lowers the suggestions people overrode. A batch is one
 * transaction. Corrections repeated inside a batch count once each, on one row.
 */
export async function storeCorrections(
  db: Kysely<LearningDatabase>,
  embedder: Embedder,
  scope: TenantScope,
  createdBy: string,
  corrections: readonly CorrectionInput[],
): Promise<StoreResult> {
  // `on conflict do update` may touch a row once per statement: repeated keys are folded first.
  const byKey = new Map<string, { first: CorrectionInput; count: number }>();
  const keyOf = (c: MergeKey) => JSON.stringify([c.engagementId, c.patternType, c.sourceKey, c.target]);
  for (const correction of corrections) {
    const entry = byKey.get(keyOf(correction));
    if (entry) entry.count++;
    else byKey.set(keyOf(correction), { first: correction, count: 1 });
  }
  // In key order, so concurrent batches over the same keys take their row locks in one order.
  const entries = [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, entry]) => entry);
  const batch = await embedder.embed(entries.map((entry) => entry.first.embedding));

  const rejections = new Map<string, { patternType: string; sourceKey: string; target: string; count: number }>();
  for (const c of corrections) {
    if (!c.rejectedTarget) continue;
    const key = JSON.stringify([c.patternType, c.sourceKey, c.rejectedTarget]);
    const entry = rejections.get(key);
    if (entry) entry.count++;
    else
      rejections.set(key, { patternType: c.patternType, sourceKey: c.sourceKey, target: c.rejectedTarget, count: 1 });
  }

  const run = async (executor: Kysely<LearningDatabase>): Promise<StoreResult> => {
    const { rows } = await withUsage<PatternRow & { merged: boolean }>(sql`
      insert into learned_patterns as p
        (client_account_id, engagement_id, pattern_type, source_text, source_key, context, target,
         confidence, evidence_count, created_by, embedding, embedding_model)
      select ${scope.clientAccountId}, u.engagement_id, u.pattern_type, u.source_text, u.source_key, u.context::jsonb,
             u.target, u.confidence, u.evidence_count, ${createdBy}, u.embedding::vector, ${batch.model}
      from unnest(
        ${entries.map((e) => e.first.engagementId)}::text[], ${entries.map((e) => e.first.patternType)}::text[],
        ${entries.map((e) => e.first.sourceText)}::text[], ${entries.map((e) => e.first.sourceKey)}::text[],
        ${entries.map((e) => JSON.stringify(e.first.context))}::text[], ${entries.map((e) => e.first.target)}::text[],
        ${entries.map((e) => patternConfidence({ evidenceCount: e.count, approvals: 0, rejections: 0 }))}::float8[],
        ${entries.map((e) => e.count)}::int[], ${batch.vectors.map(toVectorLiteral)}::text[]
      ) as u(engagement_id, pattern_type, source_text, source_key, context, target, confidence, evidence_count, embedding)
      on conflict on constraint learned_patterns_merge_key do update set
        evidence_count = p.evidence_count + excluded.evidence_count,
        confidence = ${confidenceSql(sql`p.evidence_count + excluded.evidence_count`, sql`p.approvals`, sql`p.rejections`)},
        context = excluded.context,
        updated_at = now()
      returning ${patternColumnsSql("p")}, (p.xmax <> 0) as merged`).execute(executor);

    let rejected: PatternRow[] = [];
    if (rejections.size) {
      const items = [...rejections.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, item]) => item);
      ({ rows: rejected } = await withUsage<PatternRow>(sql`
        update learned_patterns as p set
          rejections = p.rejections + r.n,
          confidence = ${confidenceSql(sql`p.evidence_count`, sql`p.approvals`, sql`p.rejections + r.n`)},
          updated_at = now()
        from unnest(${items.map((i) => i.patternType)}::text[], ${items.map((i) => i.sourceKey)}::text[],
                    ${items.map((i) => i.target)}::text[], ${items.map((i) => i.count)}::int[])
          as r(pattern_type, source_key, target, n)
        where ${scopeSql(scope, "p")} and p.pattern_type = r.pattern_type and p.source_key = r.source_key
          and p.target = r.target
        returning ${patternColumnsSql("p")}`).execute(executor));
    }

    const byRowKey = new Map(
      rows.map((row) => [
        keyOf({
          engagementId: row.engagement_id,
          patternType: row.pattern_type,
          sourceKey: row.source_key,
          target: row.target,
        }),
        row,
      ]),
    );
    const stored = corrections.map((correction) => {
      const row = byRowKey.get(keyOf(correction)) as PatternRow & { merged: boolean };
      const { merged, ...pattern } = row;
      // The second of two identical corrections in one batch merged into the first.
      return { row: pattern, merged: merged || byKey.get(keyOf(correction))?.first !== correction };
    });
    return { stored, rejected };
  };

  return rejections.size ? db.transaction().execute((trx) => run(trx)) : run(db);
}

type MergeKey = Pick<CorrectionInput, "engagementId" | "patternType" | "sourceKey" | "target">;
