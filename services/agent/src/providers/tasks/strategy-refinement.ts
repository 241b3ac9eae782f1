import { z } from "zod";
import type { StrategyAsset, StrategyRecommendation } from "../../agents/strategy-recommendation.ts";
import type { LlmRefiner, RefinementCall } from "../llm-refiner.ts";
import { zodTask } from "../refinement-task.ts";
import { clip, refineInChunks } from "./refine-in-chunks.ts";

const ASSETS_PER_PROMPT = 20;

const answerSchema = z.object({
  rationales: z.array(z.object({ row: z.number().int(), rationale: z.string() })),
});

const SYSTEM = [
  "You explain cloud migration strategy recommendations (the 7 Rs) to the people who must approve them.",
  "Each asset comes with the strategy deterministic rules chose, the rules that fired, the data that is missing, and the asset's technical facts.",
  "Write a clear rationale of at most three sentences for the chosen strategy: why it fits, and what missing data would change it.",
  "Do not recommend a different strategy.",
  'Answer with JSON: {"rationales": [{"row", "rationale"}]}, one entry per asset asked.',
].join(" ");

/**
 * Asks the provider to refine the rationale of the recommendations the rules are least sure of
 * (confidence below the refinement threshold). The strategy, confidence and factors never
 * change: the model's text leads the rationale and the rules' rationale follows it, so nothing
 * is silently overridden. The facts sent are technical only: no names, owners or addresses.
 */
export async function refineRationales(
  refiner: LlmRefiner,
  call: RefinementCall,
  pairs: ReadonlyArray<{ asset: StrategyAsset; recommendation: StrategyRecommendation }>,
): Promise<{ notices: string[] }> {
  if (!refiner.modelFor("strategy")) return { notices: [] };
  const unsure = pairs.filter((pair) => pair.recommendation.confidence < refiner.refineBelowConfidence);
  if (unsure.length === 0) return { notices: [] };
  const { answers, notices } = await refineInChunks(refiner, call, unsure, ASSETS_PER_PROMPT, (chunk) => {
    const rows = new Set(chunk.map((pair) => pair.recommendation.row));
    return zodTask({
      agent: "strategy",
      schemaName: "strategy_rationales",
      system: SYSTEM,
      input: {
        assets: chunk.map(({ asset, recommendation }) => ({
          row: recommendation.row,
          strategy: recommendation.strategy,
          confidence: recommendation.confidence,
          rules_rationale: recommendation.rationale,
          factors: recommendation.factors,
          missing_data: recommendation.missingData,
          facts: {
            asset_type: asset.assetType,
            server_role: asset.serverRole,
            environment: asset.environment,
            power_state: asset.powerState,
            operating_system: asset.operatingSystem,
            os_version: asset.osVersion,
            database_type: asset.databaseType,
            technology_stack: asset.technologyStack,
            memory_gb: asset.memoryGb ?? null,
            cpu_utilization_avg: asset.cpuUtilizationAvg ?? null,
            criticality: asset.criticality,
          },
        })),
      },
      schema: answerSchema,
      check: (answer) => {
        for (const item of answer.rationales) {
          if (!rows.has(item.row))
            return { ok: false, outcome: "unknown_target", detail: `row ${item.row} was not asked` };
        }
        return { ok: true, value: answer.rationales };
      },
    });
  });
  const byRow = new Map(pairs.map((pair) => [pair.recommendation.row, pair.recommendation]));
  for (const { items, model } of answers) {
    for (const item of items) {
      const recommendation = byRow.get(item.row);
      const text = clip(item.rationale, 600);
      if (!recommendation || !text) continue;
      recommendation.rationale = `${text} (LLM ${model}; rules: ${recommendation.rationale})`;
    }
  }
  return { notices };
}
