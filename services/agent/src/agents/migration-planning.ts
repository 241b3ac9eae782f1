import { STRATEGIES, type Strategy } from "./strategy-recommendation.ts";
import { planWaves, type Wave } from "./wave-planning.ts";

export interface MemberStrategy {
  strategy: string;
  confidence: number;
  missingData: readonly string[];
  criticality: string;
}

export interface ApplicationPlanInput {
  key: string;
  name: string;
  members: readonly MemberStrategy[];
}

export interface ApplicationStrategy {
  applicationKey: string;
  strategy: Strategy;
  rationale: string;
  confidence: number;
  missingData: string[];
}

/** How much one asset's vote counts: critical assets decide more of their application's move. */
export const CRITICALITY_WEIGHTS: Readonly<Record<string, number>> = { critical: 4, high: 3, medium: 2, low: 1 };
const DEFAULT_WEIGHT = 1;
const NO_MEMBERS_CONFIDENCE = 0.2;
const STRATEGY_SET: ReadonlySet<string> = new Set(STRATEGIES);

/**
 * Rolls asset strategies up per application (the criticality-weighted majority; ties go to the
 * earlier strategy in the 7 Rs order) and plans waves over the application dependency edges.
 */
export function planMigration(
  applications: readonly ApplicationPlanInput[],
  edges: ReadonlyArray<{ sourceKey: string; targetKey: string }>,
): { applicationStrategies: ApplicationStrategy[]; waves: Wave[] } {
  const applicationStrategies = applications.map(applicationStrategy);
  const strategyOf = new Map(applicationStrategies.map((s) => [s.applicationKey, s.strategy]));
  return { applicationStrategies, waves: planWaves(strategyOf, edges) };
}

export function applicationStrategy(application: ApplicationPlanInput): ApplicationStrategy {
  const members = application.members.filter((m) => STRATEGY_SET.has(m.strategy));
  if (members.length === 0) {
    return {
      applicationKey: application.key,
      strategy: "rehost",
      rationale: "No asset strategies were given for this application; rehost is assumed until they are.",
      confidence: NO_MEMBERS_CONFIDENCE,
      missingData: ["asset_strategies"],
    };
  }
  const tally = new Map<Strategy, { count: number; weight: number; confidence: number }>();
  let totalWeight = 0;
  for (const member of members) {
    const strategy = member.strategy as Strategy;
    const weight = CRITICALITY_WEIGHTS[member.criticality] ?? DEFAULT_WEIGHT;
    const entry = tally.get(strategy) ?? { count: 0, weight: 0, confidence: 0 };
    entry.count++;
    entry.weight += weight;
    entry.confidence += member.confidence;
    tally.set(strategy, entry);
    totalWeight += weight;
  }
  const ranked = [...tally.entries()].sort(
    ([a, x], [b, y]) => y.weight - x.weight || y.count - x.count || STRATEGIES.indexOf(a) - STRATEGIES.indexOf(b),
  );
  const [winner, best] = ranked[0] as [Strategy, { count: number; weight: number; confidence: number }];
  const share = best.weight / totalWeight;
  // Agreement matters: a split application is less certain than its members are.
  const confidence = Math.round((best.confidence / best.count) * (0.5 + 0.5 * share) * 100) / 100;

  const others = ranked.slice(1).map(([strategy, entry]) => `${entry.count} ${strategy}`);
  let rationale = `${winner.charAt(0).toUpperCase()}${winner.slice(1)} for ${best.count} of ${members.length} asset(s)`;
  if (best.weight !== best.count || totalWeight !== members.length) {
    rationale += ` (criticality-weighted ${best.weight} of ${totalWeight})`;
  }
  rationale += others.length ? `; the others: ${others.join(", ")}.` : ".";

  const gaps = new Map<string, number>();
  for (const member of members) for (const gap of member.missingData) gaps.set(gap, (gaps.get(gap) ?? 0) + 1);
  const missingData = [...gaps.entries()].sort(([a, x], [b, y]) => y - x || a.localeCompare(b)).map(([gap]) => gap);
  return { applicationKey: application.key, strategy: winner, rationale, confidence, missingData };
}
