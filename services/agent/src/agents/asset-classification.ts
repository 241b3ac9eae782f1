import type { CanonicalAsset } from "./canonical-asset.ts";
import {
  DEVICE_TOKENS,
  nameTokens,
  normalizeDatabaseType,
  ROLE_PREFIXES,
  ROLE_TOKENS,
  SERVER_ROLES,
} from "./vocabularies.ts";

export interface Classification {
  assetType: string;
  serverRole: string;
  confidence: number;
  reason: string;
}

const ROLE_SET: ReadonlySet<string> = new Set(SERVER_ROLES);
// Operating systems that only run on appliances.
const DEVICE_OS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\b(cisco ios|ios-?xe|nx-?os|junos|fortios|pan-?os|routeros|edgeos)\b/i, "network"],
  [/\b(tmos|big-?ip|netscaler|citrix adc)\b/i, "load_balancer"],
  [/\b(ontap|onefs|purity|data ?domain)\b/i, "storage"],
];
const STACK_SPLIT = /[,;/|]+/;

/**
 * Classifies a cleansed asset: its type from, strongest first, the source's own type column,
 * appliance names and operating systems, database evidence, virtualisation evidence, and the
 * default "server"; its role from a role column, the database type, then name tokens.
 * `declaredType` is the source's type already normalised (see `normalizeAssetType`).
 */
export function classifyAsset(asset: CanonicalAsset, declaredType = ""): Classification {
  const tokens = nameTokens(`${asset.assetName} ${asset.hostname}`);
  const role = classifyRole(asset, tokens);
  const type = classifyType(asset, tokens, declaredType, role.role);
  const reason = role.role ? `${type.reason}; role ${role.role}: ${role.reason}` : type.reason;
  return { assetType: type.type, serverRole: role.role, confidence: type.confidence, reason };
}

function classifyRole(asset: CanonicalAsset, tokens: readonly string[]): { role: string; reason: string } {
  if (ROLE_SET.has(asset.serverRole)) return { role: asset.serverRole, reason: "from the role column" };
  if (asset.databaseType) return { role: "db", reason: `database type ${asset.databaseType}` };
  // Names read <application>-<role>-<number> ("mail-app-01"): the last role token is the role.
  for (let i = tokens.length - 1; i >= 0; i--) {
    const token = tokens[i] as string;
    const role = ROLE_TOKENS.get(token);
    if (role) return { role, reason: `name token "${token}"` };
  }
  for (const token of tokens) {
    for (const [prefix, role] of ROLE_PREFIXES) {
      if (token.length > prefix.length && token.startsWith(prefix)) return { role, reason: `name token "${token}"` };
    }
  }
  for (const part of asset.technologyStack.toLowerCase().split(STACK_SPLIT)) {
    const word = part.trim();
    const role = ROLE_TOKENS.get(word) ?? (normalizeDatabaseType(word) ? "db" : undefined);
    if (role) return { role, reason: `technology stack "${word}"` };
  }
  return { role: asset.serverRole, reason: "" };
}

function classifyType(
  asset: CanonicalAsset,
  tokens: readonly string[],
  declared: string,
  role: string,
): { type: string; confidence: number; reason: string } {
  if (declared && declared !== "server") {
    return { type: declared, confidence: 0.9, reason: `${declared}: the source's type column says so` };
  }
  for (const token of tokens) {
    const device = DEVICE_TOKENS.get(token);
    if (device) return { type: device, confidence: 0.75, reason: `${device}: name token "${token}"` };
  }
  for (const [pattern, device] of DEVICE_OS) {
    if (pattern.test(asset.operatingSystem)) {
      return { type: device, confidence: 0.8, reason: `${device}: operating system ${asset.operatingSystem}` };
    }
  }
  if (asset.databaseType) {
    return { type: "database", confidence: 0.9, reason: `database: database type ${asset.databaseType}` };
  }
  if (role === "db") return { type: "database", confidence: 0.75, reason: "database: the name says db" };
  const stackEngine = asset.technologyStack ? normalizeDatabaseType(asset.technologyStack) : undefined;
  if (stackEngine && stackEngine !== "redis") {
    return { type: "database", confidence: 0.7, reason: `database: technology stack runs ${stackEngine}` };
  }
  if (asset.hostingModel === "virtual" || asset.hostingModel === "cloud") {
    return {
      type: "virtual_machine",
      confidence: 0.85,
      reason: `virtual_machine: hosting model ${asset.hostingModel}`,
    };
  }
  if (asset.vmUuid) return { type: "virtual_machine", confidence: 0.8, reason: "virtual_machine: it has a VM UUID" };
  if (asset.virtualizationPlatform && asset.hostingModel !== "physical") {
    return {
      type: "virtual_machine",
      confidence: 0.75,
      reason: `virtual_machine: runs on ${asset.virtualizationPlatform}`,
    };
  }
  if (declared === "server")
    return { type: "server", confidence: 0.9, reason: "server: the source's type column says so" };
  if (asset.hostingModel === "physical") {
    return { type: "server", confidence: 0.85, reason: "server: hosting model physical" };
  }
  return { type: "server", confidence: 0.5, reason: "server: no evidence of another type (default)" };
}
