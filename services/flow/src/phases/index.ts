import { applicationDiscovery } from "./application-discovery.ts";
import { assetInventory } from "./asset-inventory.ts";
import { dataCleansing } from "./data-cleansing.ts";
import { dataImport } from "./data-import.ts";
import { dataValidation } from "./data-validation.ts";
import { dependencyAnalysis } from "./dependency-analysis.ts";
import { fieldMapping } from "./field-mapping.ts";
import type { PhaseDefinition } from "./phase-definition.ts";
import { strategyRecommendation } from "./strategy-recommendation.ts";

/** The discovery phases in the order they run (DESIGN.md section 3); their weights add up to 100. */
export const PHASES: readonly PhaseDefinition[] = [
  dataImport,
  dataValidation,
  fieldMapping,
  dataCleansing,
  assetInventory,
  dependencyAnalysis,
  applicationDiscovery,
  strategyRecommendation,
];

/** The flow progress at the start of each phase. */
export function phaseBase(name: string): number {
  let base = 0;
  for (const phase of PHASES) {
    if (phase.name === name) return base;
    base += phase.weight;
  }
  return base;
}
