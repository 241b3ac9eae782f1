import { MIGRATION_STRATEGIES, type MigrationStrategy } from "@migrate/domain";
import type { CanonicalAsset } from "./canonical-asset.ts";
import { endOfSupport } from "./os-support.ts";
import { MAINSTREAM_ENGINES, nameTokens, normalizeDatabaseType } from "./vocabularies.ts";

/** The 7 Rs, in the order ties are broken. */
export const STRATEGIES = MIGRATION_STRATEGIES;
export type Strategy = MigrationStrategy;

export interface StrategyRecommendation {
  row: number;
  strategy: Strategy;
  rationale: string;
  confidence: number;
  missingData: string[];
  /** The rules that fired, in rule order; the first decided the strategy. */
  factors: string[];
  /** The asset's criticality, echoed so the application roll-up can weight by it. */
  criticality: string;
}

export type StrategyAsset = Pick<
  CanonicalAsset,
  | "row"
  | "assetName"
  | "hostname"
  | "assetType"
  | "serverRole"
  | "environment"
  | "powerState"
  | "memoryGb"
  | "operatingSystem"
  | "osVersion"
  | "osFamily"
  | "databaseType"
  | "technologyStack"
  | "cpuUtilizationAvg"
  | "applicationName"
  | "criticality"
>;

interface Rule {
  id: string;
  strategy: Strategy;
  confidence: number;
  /** A clause for the rationale when the rule fires, undefined otherwise. */
  fires(asset: StrategyAsset): string | undefined;
}

const LEGACY_PLATFORM =
  /\b(aix|solaris|sunos|hp-?ux|z\/os|os\/390|mvs|mainframe|as\/400|os\/400|i5\/os|iseries|openvms|tru64)\b/i;
const COMMODITY: ReadonlyMap<string, string> = new Map([
  ["mail", "mail"],
  ["email", "mail"],
  ["smtp", "mail"],
  ["exchange", "Exchange"],
  ["exch", "Exchange"],
  ["sharepoint", "SharePoint"],
  ["crm", "CRM"],
  ["dynamics", "CRM"],
  ["lync", "unified communications"],
  ["skype", "unified communications"],
]);
const HARDWARE_BOUND_MEMORY_GB = 1024;
const UNDERSCORES = /_/g;
const IDLE_CPU_PERCENT = 5;

const ENGINE_LABELS: Readonly<Record<string, string>> = {
  sql_server: "SQL Server",
  postgres: "PostgreSQL",
  mysql: "MySQL",
  mariadb: "MariaDB",
  oracle: "Oracle",
};

/** The rule table, in order (docs/agents.md). Every rule that fires is a factor; the first decides. */
export const STRATEGY_RULES: readonly Rule[] = [
  {
    id: "powered_off",
    strategy: "retire",
    confidence: 0.7,
    fires: (a) => (a.powerState === "off" ? "the server is powered off" : undefined),
  },
  {
    id: "idle_without_application",
    strategy: "retire",
    confidence: 0.7,
    fires: (a) =>
      a.cpuUtilizationAvg !== undefined && a.cpuUtilizationAvg < IDLE_CPU_PERCENT && !a.applicationName
        ? `average CPU is ${a.cpuUtilizationAvg} % and no application is known to use it`
        : undefined,
  },
  {
    id: "legacy_platform",
    strategy: "retain",
    confidence: 0.75,
    fires: (a) =>
      LEGACY_PLATFORM.test(a.operatingSystem) ? `${a.operatingSystem} needs its own hardware platform` : undefined,
  },
  {
    id: "hardware_bound",
    strategy: "relocate",
    confidence: 0.6,
    fires: (a) =>
      a.memoryGb !== undefined && a.memoryGb > HARDWARE_BOUND_MEMORY_GB
        ? `${a.memoryGb} GB of memory is beyond common cloud instance sizes: move the host as it is`
        : undefined,
  },
  {
    id: "commodity_application",
    strategy: "repurchase",
    confidence: 0.7,
    fires: (a) => {
      const what = commodityOf(a);
      return what ? `${what} is commodity software available as a service` : undefined;
    },
  },
  {
    id: "managed_database",
    strategy: "replatform",
    confidence: 0.8,
    fires: (a) => {
      const engine = engineOf(a);
      return engine ? `${ENGINE_LABELS[engine] ?? engine} can move to a managed database service` : undefined;
    },
  },
  {
    id: "end_of_support_os",
    strategy: "replatform",
    confidence: 0.75,
    fires: (a) => {
      const eos = endOfSupport(a.operatingSystem, a.osVersion);
      return eos ? `${eos.label} is out of vendor support: move onto a supported operating system` : undefined;
    },
  },
];

/** What each gap costs in confidence; the floor keeps a recommendation from reading as noise. */
const MISSING_PENALTIES: ReadonlyArray<readonly [string, (a: StrategyAsset) => boolean, number]> = [
  ["operating_system", (a) => !a.operatingSystem, 0.15],
  ["cpu_utilization", (a) => a.cpuUtilizationAvg === undefined, 0.1],
  ["application_name", (a) => !a.applicationName, 0.1],
  ["environment", (a) => !a.environment, 0.05],
];
const CONFIDENCE_FLOOR = 0.2;
const REHOST_CONFIDENCE = 0.8;
const REFACTOR_CONFIDENCE = 0.6;

/** One of the 7 Rs for one asset, by the documented rules, with what limits the confidence. */
export function recommendStrategy(asset: StrategyAsset): StrategyRecommendation {
  const fired: Array<{ rule: Rule; clause: string }> = [];
  for (const rule of STRATEGY_RULES) {
    const clause = rule.fires(asset);
    if (clause) fired.push({ rule, clause });
  }
  let strategy: Strategy = "rehost";
  let confidence = REHOST_CONFIDENCE;
  let lead = "no rule stands in the way of moving it as it is";
  const factors = fired.map((f) => f.rule.id);
  const first = fired[0];
  if (first) {
    strategy = first.rule.strategy;
    confidence = first.rule.confidence;
    lead = first.clause;
    const eos = endOfSupport(asset.operatingSystem, asset.osVersion);
    if (first.rule.id === "end_of_support_os" && eos?.veryOld && asset.criticality === "critical") {
      strategy = "refactor";
      confidence = REFACTOR_CONFIDENCE;
      lead = `${eos.label} has no upgrade path worth taking and the asset is critical: rebuild it on a current platform`;
      factors.push("critical_on_very_old_os");
    }
  } else factors.push("no_blocking_factor");

  const missingData: string[] = [];
  for (const [name, missing, penalty] of MISSING_PENALTIES) {
    if (!missing(asset)) continue;
    missingData.push(name);
    confidence -= penalty;
  }
  confidence = Math.round(Math.max(CONFIDENCE_FLOOR, confidence) * 100) / 100;

  let rationale = `${capitalize(strategy)}: ${lead}.`;
  const others = fired.slice(1).map((f) => f.clause);
  if (others.length) rationale += ` Also: ${others.join("; ")}.`;
  if (missingData.length)
    rationale += ` Confidence is lowered by missing ${missingData.join(", ").replace(UNDERSCORES, " ")}.`;
  return { row: asset.row, strategy, rationale, confidence, missingData, factors, criticality: asset.criticality };
}

function engineOf(asset: StrategyAsset): string | undefined {
  const declared = asset.databaseType ? normalizeDatabaseType(asset.databaseType) : undefined;
  if (declared) return MAINSTREAM_ENGINES.has(declared) ? declared : undefined;
  if (asset.assetType !== "database" && asset.serverRole !== "db") return undefined;
  const fromStack = asset.technologyStack ? normalizeDatabaseType(asset.technologyStack) : undefined;
  if (fromStack) return MAINSTREAM_ENGINES.has(fromStack) ? fromStack : undefined;
  for (const token of nameTokens(`${asset.assetName} ${asset.hostname}`)) {
    const engine = normalizeDatabaseType(token);
    if (engine && MAINSTREAM_ENGINES.has(engine)) return engine;
  }
  return undefined;
}

function commodityOf(asset: StrategyAsset): string | undefined {
  for (const token of nameTokens(`${asset.applicationName} ${asset.assetName}`)) {
    const what = COMMODITY.get(token);
    if (what) return what;
  }
  return undefined;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
