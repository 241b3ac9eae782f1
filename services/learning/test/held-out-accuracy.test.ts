/**
 * Held-out accuracy of GetRecommendations alone (learned patterns only, no dictionary): top-1
 * before and after a tenant teaches one example of each real format, queried with spellings it
 * never taught. docs/learning.md records the figures this test prints.
 */
import { randomUUID } from "node:crypto";
import type { TenantContext } from "@migrate/grpc";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FORMAT_FIXTURES, type FormatFixture } from "../../agent/src/agents/fixtures/format-fixtures.ts";
import { abbreviate, columnSamples, snakeCase, upperKebab } from "./support/header-variants.ts";
import { type LearningProcess, startLearning } from "./support/learning-process.ts";

const FORMATS = [
  "aws_migration_hub",
  "azure_migrate",
  "rvtools_vinfo",
  "google_migration_center",
  "servicenow_cmdb_ci_server",
];
const fixtures = FORMATS.map((name) => FORMAT_FIXTURES.find((f) => f.name === name) as FormatFixture);
const run = randomUUID().slice(0, 8);
const tenantOf = (name: string): TenantContext => ({
  clientAccountId: `${name}_${run}`,
  engagementId: "",
  userId: "reviewer",
  requestId: randomUUID(),
  roles: [],
});

interface Query {
  format: string;
  header: string;
  expected: string;
}

/** The columns a person maps to a canonical field (null ones stay custom attributes). */
const labelled = (fixture: FormatFixture) =>
  Object.entries(fixture.expected).filter((entry): entry is [string, string] => entry[1] !== null);
const queriesOf = (variant: (header: string) => string | undefined) =>
  fixtures.flatMap((fixture) =>
    labelled(fixture).flatMap(([header, expected]) => {
      const spelled = variant(header);
      return spelled ? [{ format: fixture.name, header: spelled, expected }] : [];
    }),
  );

const originals = queriesOf((header) => header);
const respelled = [...queriesOf(snakeCase), ...queriesOf(upperKebab)];
const abbreviated = queriesOf(abbreviate);

let running: LearningProcess;
let learning: LearningProcess["learning"];

beforeAll(async () => {
  running = await startLearning("learning_acc");
  ({ learning } = running);
});

afterAll(() => running?.stop());

/** One review of one import: every mapped column of the fixture in one BatchStorePatterns call. */
async function teach(tenant: TenantContext, fixture: FormatFixture): Promise<void> {
  const samples = columnSamples(fixture.csv);
  const headers = Object.keys(fixture.expected);
  await learning.client.batchStorePatterns(
    {
      corrections: labelled(fixture).map(([header, target]) => ({
        sourceText: header,
        target,
        context: { format: fixture.name, headers },
        sampleValues: samples.get(header) ?? [],
      })),
    },
    { tenant },
  );
}

/** Share of queries whose first recommendation is the expected target; one call per import. */
async function top1(tenant: TenantContext, queries: readonly Query[]): Promise<number> {
  let correct = 0;
  for (const format of new Set(queries.map((q) => q.format))) {
    const batch = queries.filter((q) => q.format === format);
    const { results } = await learning.client.getRecommendations(
      { headers: batch.map((q) => ({ text: q.header })), context: { format, headers: batch.map((q) => q.header) } },
      { tenant },
    );
    batch.forEach((q, i) => {
      if (results[i]?.recommendations[0]?.target === q.expected) correct++;
    });
  }
  return correct / queries.length;
}

const pct = (value: number) => `${(value * 100).toFixed(1)}%`;

describe("held-out top-1 accuracy of learned patterns alone", () => {
  it("rises from nothing to most headers after one example of each format", async () => {
    const tenant = tenantOf("acc");
    const heldOut = [...respelled, ...abbreviated];
    const before = await top1(tenant, heldOut);

    for (const fixture of fixtures) await teach(tenant, fixture);
    const afterRespelled = await top1(tenant, respelled);
    const afterAbbreviated = await top1(tenant, abbreviated);
    const after = await top1(tenant, heldOut);

    // Leave one format out: a tenant that taught the other four formats imports the fifth.
    let crossCorrect = 0;
    for (const fixture of fixtures) {
      const crossTenant = tenantOf(`cross_${fixture.name.slice(0, 10)}`);
      for (const other of fixtures) if (other !== fixture) await teach(crossTenant, other);
      const own = originals.filter((q) => q.format === fixture.name);
      crossCorrect += (await top1(crossTenant, own)) * own.length;
    }
    const crossBefore = await top1(tenantOf("cross_empty"), originals);
    const cross = crossCorrect / originals.length;

    console.log(
      [
        "held-out top-1 accuracy (GetRecommendations alone):",
        `  before learning, ${heldOut.length} held-out spellings: ${pct(before)}`,
        `  after one example per format: ${pct(after)} of ${heldOut.length}`,
        `    respelled (case/separators, ${respelled.length}): ${pct(afterRespelled)}`,
        `    abbreviated (${abbreviated.length}): ${pct(afterAbbreviated)}`,
        `  another format's headers (leave one format out, ${originals.length}): ${pct(crossBefore)} → ${pct(cross)}`,
      ].join("\n"),
    );
    expect(before).toBe(0);
    expect(after).toBeGreaterThan(before);
    expect(afterRespelled).toBe(1);
    expect(afterAbbreviated).toBeGreaterThanOrEqual(0.85);
    expect(cross).toBeGreaterThanOrEqual(0.4);
  });
});
