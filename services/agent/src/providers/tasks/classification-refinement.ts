import { ASSET_TYPES } from "@migrate/domain";
import { z } from "zod";
import type { CanonicalAsset } from "../../agents/canonical-asset.ts";
import { SERVER_ROLES } from "../../agents/vocabularies.ts";
import type { LlmRefiner, RefinementCall } from "../llm-refiner.ts";
import { zodTask } from "../refinement-task.ts";
import { clip, refineInChunks } from "./refine-in-chunks.ts";

/** Below this the rules had no real evidence (the "server by default" case): an odd asset. */
export const ODD_CLASSIFICATION_BELOW = 0.6;
const ASSETS_PER_PROMPT = 25;
const MAX_LLM_CONFIDENCE = 0.85;
const TYPES: ReadonlySet<string> = new Set(ASSET_TYPES);
const ROLES: ReadonlySet<string> = new Set(SERVER_ROLES);

const answerSchema = z.object({
  classifications: z.array(
    z.object({
      row: z.number().int(),
      asset_type: z.string(),
      server_role: z.string(),
      confidence: z.number().min(0).max(1),
      reason: z.string(),
    }),
  ),
});

const SYSTEM = [
  "You classify IT assets from an inventory for a cloud migration assessment.",
  "For each asset give asset_type (one of `asset_types`), server_role (one of `server_roles`, or an empty string when unknown),",
  "a confidence between 0 and 1 and a one-sentence reason naming the evidence.",
  'Answer with JSON: {"classifications": [{"row", "asset_type", "server_role", "confidence", "reason"}]}, one entry per asset asked.',
].join(" ");

/**
 * The technical facts the task needs, and nothing about people: no owners, business unit,
 * cost centre, custom attributes (unknown columns may hold anything), addresses or serials.
 */
function facts(asset: CanonicalAsset) {
  return {
    row: asset.row,
    asset_name: asset.assetName,
    hostname: asset.hostname,
    operating_system: asset.operatingSystem,
    os_family: asset.osFamily,
    database_type: asset.databaseType,
    technology_stack: asset.technologyStack,
    virtualization_platform: asset.virtualizationPlatform,
    hosting_model: asset.hostingModel,
    server_role: asset.serverRole,
    environment: asset.environment,
    cpu_cores: asset.cpuCores ?? null,
    memory_gb: asset.memoryGb ?? null,
    storage_gb: asset.storageGb ?? null,
    rules_said: { asset_type: asset.assetType, confidence: asset.classificationConfidence },
  };
}

/**
 * Asks the provider to classify the assets the rules could not (confidence below
 * ODD_CLASSIFICATION_BELOW) and applies each answer that is more confident than the rules,
 * keeping the rules' reason beside the model's.
 */
export async function refineClassifications(
  refiner: LlmRefiner,
  call: RefinementCall,
  assets: CanonicalAsset[],
): Promise<{ assets: CanonicalAsset[]; notices: string[] }> {
  if (!refiner.modelFor("classification")) return { assets, notices: [] };
  const odd = assets.filter((asset) => asset.classificationConfidence < ODD_CLASSIFICATION_BELOW);
  if (odd.length === 0) return { assets, notices: [] };
  const { answers, notices } = await refineInChunks(refiner, call, odd, ASSETS_PER_PROMPT, (chunk) => {
    const rows = new Set(chunk.map((asset) => asset.row));
    return zodTask({
      agent: "classification",
      schemaName: "asset_classifications",
      system: SYSTEM,
      input: { asset_types: ASSET_TYPES, server_roles: SERVER_ROLES, assets: chunk.map(facts) },
      schema: answerSchema,
      check: (answer) => {
        for (const item of answer.classifications) {
          if (!rows.has(item.row))
            return { ok: false, outcome: "unknown_target", detail: `row ${item.row} was not asked` };
          if (!TYPES.has(item.asset_type)) {
            return {
              ok: false,
              outcome: "unknown_target",
              detail: `unknown asset type "${clip(item.asset_type, 64)}"`,
            };
          }
          if (item.server_role && !ROLES.has(item.server_role)) {
            return {
              ok: false,
              outcome: "unknown_target",
              detail: `unknown server role "${clip(item.server_role, 64)}"`,
            };
          }
        }
        return { ok: true, value: answer.classifications };
      },
    });
  });
  const byRow = new Map(assets.map((asset) => [asset.row, asset]));
  for (const { items, model } of answers) {
    for (const item of items) {
      const asset = byRow.get(item.row);
      const confidence = Math.round(Math.min(item.confidence, MAX_LLM_CONFIDENCE) * 100) / 100;
      if (!asset || confidence <= asset.classificationConfidence) continue;
      asset.classificationReason = `LLM (${model}): ${clip(item.reason, 200)}; rules said: ${asset.classificationReason}`;
      asset.assetType = item.asset_type;
      if (item.server_role) asset.serverRole = item.server_role;
      asset.classificationConfidence = confidence;
    }
  }
  return { assets, notices };
}
