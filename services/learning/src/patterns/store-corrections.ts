import { type Kysely, sql } from "@migrate/db";
import type { LearningDatabase } from "../db/learning-database.ts";
import { type Embedder, toVectorLiteral } from "../embeddings/embedder.ts";
import { confidenceSql, patternConfidence } from "./pattern-confidence.ts";
import { type PatternRow, patternColumnsSql, withUsage } from "./pattern-row.ts";
import type { CorrectionInput } from "./read-correction.ts";
import type { TenantScope } from "./tenant-scope.ts";

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

/** One caller's corrections: its tenant, who taught them, the checked corrections. */
export interface CorrectionBatch {
  scope: TenantScope;
  createdBy: string;
  corrections: readonly CorrectionInput[];
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
  const [result] = await storeCorrectionBatches(db, embedder, [{ scope, createdBy, corrections }]);
  return result as StoreResult;
}

/**
 * Several callers' batches in the same two statements (and one commit), as if stored one after
 * another in the given order: a correction equal to an earlier one (of any of the batches) is
 * reported merged. All or none: the caller decides what to do when the whole group fails.
 */
export async function storeCorrectionBatches(
  db: Kysely<LearningDatabase>,
  embedder: Embedder,
  batches: readonly CorrectionBatch[],
): Promise<StoreResult[]> {
  const items = batches.flatMap((batch) =>
    batch.corrections.map((correction) => ({ ...correction, batch, clientAccountId: batch.scope.clientAccountId })),
  );
  // `on conflict do update` may touch a row once per statement: repeated keys are folded first.
  const byKey = new Map<string, { first: (typeof items)[number]; count: number }>();
  const keyOf = (c: MergeKey) =>
    JSON.stringify([c.clientAccountId, c.engagementId, c.patternType, c.sourceKey, c.target]);
  for (const item of items) {
    const entry = byKey.get(keyOf(item));
    if (entry) entry.count++;
    else byKey.set(keyOf(item), { first: item, count: 1 });
  }
  // In key order, so concurrent batches over the same keys take their row locks in one order.
  const entries = [...byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, entry]) => entry);
  const embedded = await embedder.embed(entries.map((entry) => entry.first.embedding));

  // A rejection lowers the suggested pattern the caller can see: its client account's, and with
  // an engagement that engagement's and the engagement-less ones.
  const rejections = new Map<string, Rejection>();
  for (const c of items) {
    if (!c.rejectedTarget) continue;
    const item = {
      clientAccountId: c.clientAccountId,
      engagementId: c.batch.scope.engagementId,
      patternType: c.patternType,
      sourceKey: c.sourceKey,
      target: c.rejectedTarget,
    };
    const key = rejectionKey(item);
    const entry = rejections.get(key);
    if (entry) entry.count++;
    else rejections.set(key, { ...item, count: 1 });
  }

  const run = async (executor: Kysely<LearningDatabase>): Promise<StoreResult[]> => {
    const column = <T>(read: (entry: (typeof entries)[number]) => T) => entries.map(read);
    const { rows } = await withUsage<PatternRow & { client_account_id: string; merged: boolean }>(sql`
      insert into learned_patterns as p
        (client_account_id, engagement_id, pattern_type, source_text, source_key, context, target,
         confidence, evidence_count, created_by, embedding, embedding_model)
      select u.client_account_id, u.engagement_id, u.pattern_type, u.source_text, u.source_key, u.context::jsonb,
             u.target, u.confidence, u.evidence_count, u.created_by, u.embedding::vector, ${embedded.model}
      from unnest(
        ${column((e) => e.first.clientAccountId)}::text[], ${column((e) => e.first.engagementId)}::text[],
        ${column((e) => e.first.patternType)}::text[], ${column((e) => e.first.sourceText)}::text[],
        ${column((e) => e.first.sourceKey)}::text[], ${column((e) => JSON.stringify(e.first.context))}::text[],
        ${column((e) => e.first.target)}::text[],
        ${column((e) => patternConfidence({ evidenceCount: e.count, approvals: 0, rejections: 0 }))}::float8[],
        ${column((e) => e.count)}::int[], ${column((e) => e.first.batch.createdBy)}::text[],
        ${embedded.vectors.map(toVectorLiteral)}::text[]
      ) as u(client_account_id, engagement_id, pattern_type, source_text, source_key, context, target, confidence,
             evidence_count, created_by, embedding)
      on conflict on constraint learned_patterns_merge_key do update set
        evidence_count = p.evidence_count + excluded.evidence_count,
        confidence = ${confidenceSql(sql`p.evidence_count + excluded.evidence_count`, sql`p.approvals`, sql`p.rejections`)},
        context = excluded.context,
        updated_at = now()
      returning ${patternColumnsSql("p")}, p.client_account_id, (p.xmax <> 0) as merged`).execute(executor);

    let lowered: Array<PatternRow & { rejected_by: number[] }> = [];
    const wanted = [...rejections.values()].sort(compareRejections);
    if (wanted.length) {
      // One row per pattern (an update may touch a row once): the rejections of every caller who
      // can see it are summed, and `rejected_by` says whose they were (1-based, into `wanted`).
      ({ rows: lowered } = await withUsage<PatternRow & { rejected_by: number[] }>(sql`
        update learned_patterns as p set
          rejections = p.rejections + hits.n,
          confidence = ${confidenceSql(sql`p.evidence_count`, sql`p.approvals`, sql`p.rejections + hits.n`)},
          updated_at = now()
        from (
          select q.id, sum(r.n)::int as n, array_agg(r.ordinality::int) as rejected_by
          from learned_patterns q join unnest(
              ${wanted.map((i) => i.clientAccountId)}::text[], ${wanted.map((i) => i.engagementId)}::text[],
              ${wanted.map((i) => i.patternType)}::text[], ${wanted.map((i) => i.sourceKey)}::text[],
              ${wanted.map((i) => i.target)}::text[], ${wanted.map((i) => i.count)}::int[])
            with ordinality as r(client_account_id, engagement_id, pattern_type, source_key, target, n, ordinality)
            on q.client_account_id = r.client_account_id and q.pattern_type = r.pattern_type
            and q.source_key = r.source_key and q.target = r.target
            and (r.engagement_id = '' or q.engagement_id is null or q.engagement_id = r.engagement_id)
          group by q.id
        ) as hits
        where p.id = hits.id
        returning ${patternColumnsSql("p")}, hits.rejected_by`).execute(executor));
    }

    const byRowKey = new Map(
      rows.map((row) => [
        keyOf({
          clientAccountId: row.client_account_id,
          engagementId: row.engagement_id,
          patternType: row.pattern_type,
          sourceKey: row.source_key,
          target: row.target,
        }),
        row,
      ]),
    );
    const rejectionIndex = new Map(wanted.map((item, index) => [rejectionKey(item), index + 1]));
    return batches.map((batch) => {
      const stored = items
        .filter((item) => item.batch === batch)
        .map((item) => {
          const row = byRowKey.get(keyOf(item)) as PatternRow & { client_account_id: string; merged: boolean };
          const { merged, client_account_id: _, ...pattern } = row;
          // The second of two identical corrections in one group merged into the first.
          return { row: pattern, merged: merged || byKey.get(keyOf(item))?.first !== item };
        });
      const own = new Set(
        items
          .filter((item) => item.batch === batch && item.rejectedTarget)
          .map((item) =>
            rejectionIndex.get(
              rejectionKey({
                clientAccountId: item.clientAccountId,
                engagementId: batch.scope.engagementId,
                patternType: item.patternType,
                sourceKey: item.sourceKey,
                target: item.rejectedTarget,
              }),
            ),
          ),
      );
      const rejected = new Map<string, PatternRow>();
      for (const { rejected_by, ...row } of lowered) {
        if (rejected_by.some((index) => own.has(index))) rejected.set(row.id, row);
      }
      return { stored, rejected: [...rejected.values()] };
    });
  };

  return rejections.size ? db.transaction().execute((trx) => run(trx)) : run(db);
}

interface Rejection {
  clientAccountId: string;
  engagementId: string;
  patternType: string;
  sourceKey: string;
  target: string;
  count: number;
}

// In row order (tenant, type, key, target), so concurrent groups lock the rows they lower in one order.
const rejectionKey = (r: Omit<Rejection, "count">) =>
  JSON.stringify([r.clientAccountId, r.patternType, r.sourceKey, r.target, r.engagementId]);

function compareRejections(a: Rejection, b: Rejection): number {
  const x = rejectionKey(a);
  const y = rejectionKey(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

type MergeKey = Pick<CorrectionInput, "engagementId" | "patternType" | "sourceKey" | "target"> & {
  clientAccountId: string;
};
