import { type Kysely, type Migration, sql } from "@migrate/db";

// Frozen: never edit once shipped; price changes are new rows (SetPricing), not edits here.
// List prices per million tokens in USD, standard (non-batch, uncached) tier, as published by
// each provider; sources and retrieval date in docs/llm.md. Open-ended from 2025-01-01.
const SOURCE_OPENAI = "https://platform.openai.com/docs/pricing (retrieved 2026-11-26)";
const SOURCE_ANTHROPIC = "https://docs.anthropic.com/en/docs/about-claude/pricing (retrieved 2026-11-26)";
const SOURCE_DEEPINFRA = "https://deepinfra.com/pricing and model pages (retrieved 2026-11-26)";

const SEED: ReadonlyArray<readonly [string, string, string, string, string]> = [
  ["openai", "gpt-4o", "2.50", "10.00", SOURCE_OPENAI],
  ["openai", "gpt-4o-mini", "0.15", "0.60", SOURCE_OPENAI],
  ["openai", "gpt-4.1", "2.00", "8.00", SOURCE_OPENAI],
  ["openai", "gpt-4.1-mini", "0.40", "1.60", SOURCE_OPENAI],
  ["openai", "gpt-4.1-nano", "0.10", "0.40", SOURCE_OPENAI],
  ["anthropic", "claude-sonnet-4-20250514", "3.00", "15.00", SOURCE_ANTHROPIC],
  ["anthropic", "claude-sonnet-4-5", "3.00", "15.00", SOURCE_ANTHROPIC],
  ["anthropic", "claude-haiku-4-5", "1.00", "5.00", SOURCE_ANTHROPIC],
  ["anthropic", "claude-3-5-haiku-20241022", "0.80", "4.00", SOURCE_ANTHROPIC],
  ["anthropic", "claude-opus-4-1", "15.00", "75.00", SOURCE_ANTHROPIC],
  ["deepinfra", "meta-llama/Llama-3.3-70B-Instruct-Turbo", "0.13", "0.38", SOURCE_DEEPINFRA],
  ["deepinfra", "meta-llama/Meta-Llama-3.1-70B-Instruct", "0.23", "0.40", SOURCE_DEEPINFRA],
  ["deepinfra", "meta-llama/Meta-Llama-3.1-8B-Instruct", "0.03", "0.05", SOURCE_DEEPINFRA],
];

export const seedModelPricing: Migration = {
  async up(db: Kysely<unknown>) {
    for (const [provider, model, input, output, source] of SEED) {
      await sql`insert into model_pricing
          (provider, model, input_usd_per_million, output_usd_per_million, currency, effective_from, source)
        values (${provider}, ${model}, ${input}::numeric, ${output}::numeric, 'USD', '2025-01-01T00:00:00Z', ${source})
        on conflict do nothing`.execute(db);
    }
  },
  async down(db: Kysely<unknown>) {
    await sql`delete from model_pricing where effective_from = '2025-01-01T00:00:00Z' and source like 'https://%'`.execute(
      db,
    );
  },
};
