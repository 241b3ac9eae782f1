import { randomUUID } from "node:crypto";
import { sql } from "@migrate/db";
import type { TenantContext } from "@migrate/grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LearningProcess, startLearning } from "./support/learning-process.ts";

// Concurrent corrections are written in groups (one statement for many callers): each caller
// must still get exactly its own answer, as if the writes had happened one after another.
const run = randomUUID().slice(0, 8);
const tenantOf = (clientAccountId: string, engagementId = ""): TenantContext => ({
  clientAccountId,
  engagementId,
  userId: "user-1",
  requestId: randomUUID(),
  roles: [],
});
const acme = tenantOf(`acme_${run}`);
const globex = tenantOf(`globex_${run}`);
let running: LearningProcess;
let learning: LearningProcess["learning"];
let database: LearningProcess["database"];

beforeAll(async () => {
  // One write at a time: everything that arrives meanwhile is grouped.
  running = await startLearning("learning_groups", { env: { LEARNING_WRITE_LANES: "1" } });
  ({ learning, database } = running);
});

afterAll(() => running?.stop());

const correction = (sourceText: string, target: string, suggestedTarget = "") => ({
  correction: { sourceText, target, suggestedTarget, context: { format: "generic" } },
});

describe("concurrent corrections, grouped", () => {
  it("stores 1,000 concurrent corrections of two tenants, repeated keys merged once each, every caller answered", async () => {
    // 100 headers per tenant, each corrected 5 times, all at once and interleaved.
    const calls = Array.from({ length: 1_000 }, (_, i) => ({
      tenant: i % 2 ? globex : acme,
      header: `Srv Name ${Math.floor(i / 2) % 100}`,
    }));
    const answers = await Promise.all(
      calls.map(({ tenant, header }) =>
        learning.client.learnFromCorrection(correction(header, "hostname"), { tenant }),
      ),
    );
    for (const [i, answer] of answers.entries()) {
      expect(answer.pattern?.sourceText).toBe(calls[i]?.header);
      expect(answer.pattern?.target).toBe("hostname");
    }
    // Per tenant and header: one row, evidence 5, and exactly one caller saw it created.
    const created = new Map<string, number>();
    const ids = new Map<string, Set<string>>();
    for (const [i, answer] of answers.entries()) {
      const key = `${calls[i]?.tenant.clientAccountId}|${calls[i]?.header}`;
      if (!answer.merged) created.set(key, (created.get(key) ?? 0) + 1);
      ids.set(key, (ids.get(key) ?? new Set()).add(answer.pattern?.id ?? ""));
    }
    expect(created.size).toBe(200);
    expect([...created.values()].every((count) => count === 1)).toBe(true);
    expect([...ids.values()].every((set) => set.size === 1)).toBe(true);
    const { rows } = await sql<{ client_account_id: string; patterns: number; evidence: number }>`
      select client_account_id, count(*)::int as patterns, sum(evidence_count)::int as evidence
      from learned_patterns group by 1 order by 1`.execute(database.db);
    expect(rows).toEqual([
      { client_account_id: acme.clientAccountId, patterns: 100, evidence: 500 },
      { client_account_id: globex.clientAccountId, patterns: 100, evidence: 500 },
    ]);
  });

  it("lowers each suggested pattern by every concurrent rejection, within the rejecting caller's tenant only", async () => {
    for (const tenant of [acme, globex]) {
      await learning.client.learnFromCorrection(correction("Kit Ref", "serial_number"), { tenant });
    }
    // 20 acme callers and 1 globex caller reject serial_number for "Kit Ref", all at once.
    const callers = [...Array.from({ length: 20 }, () => acme), globex];
    const answers = await Promise.all(
      callers.map((tenant) =>
        learning.client.learnFromCorrection(correction("Kit Ref", "asset_name", "serial_number"), { tenant }),
      ),
    );
    for (const [i, answer] of answers.entries()) {
      expect(answer.rejected?.target).toBe("serial_number");
      expect(answer.rejected?.sourceText).toBe("Kit Ref");
      expect(answer.pattern?.target).toBe("asset_name");
      // Never another tenant's pattern.
      const { rows } = await sql<{ client_account_id: string }>`
        select client_account_id from learned_patterns where id = ${answer.rejected?.id}`.execute(database.db);
      expect(rows[0]?.client_account_id).toBe(callers[i]?.clientAccountId);
    }
    const { rows } = await sql<{ client_account_id: string; rejections: number; evidence: number }>`
      select client_account_id, rejections, (select evidence_count from learned_patterns a
        where a.client_account_id = p.client_account_id and a.source_key = p.source_key and a.target = 'asset_name')
        as evidence
      from learned_patterns p where source_key = 'kitref' and target = 'serial_number' order by 1`.execute(database.db);
    expect(rows).toEqual([
      { client_account_id: acme.clientAccountId, rejections: 20, evidence: 20 },
      { client_account_id: globex.clientAccountId, rejections: 1, evidence: 1 },
    ]);
  });

  it("refuses a bad batch whole while the concurrent good ones are stored", async () => {
    const good = Array.from({ length: 50 }, (_, i) =>
      learning.client.batchStorePatterns(
        { corrections: [{ sourceText: `Batch Col ${i}`, target: "cpu_cores" }] },
        { tenant: acme },
      ),
    );
    const bad = learning.client
      .batchStorePatterns(
        {
          corrections: [
            { sourceText: "Bad Batch A", target: "hostname" },
            { sourceText: "Bad Batch B", target: "server_room" },
          ],
        },
        { tenant: acme },
      )
      .then(
        () => "stored",
        () => "refused",
      );
    const [answers, refusal] = await Promise.all([Promise.all(good), bad]);
    expect(refusal).toBe("refused");
    expect(answers.every((answer) => answer.results.length === 1 && !answer.results[0]?.merged)).toBe(true);
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from learned_patterns where source_text like 'Bad Batch%'`.execute(database.db);
    expect(rows[0]?.n).toBe(0);
  });
});
