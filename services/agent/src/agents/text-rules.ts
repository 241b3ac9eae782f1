import { MAC_ADDRESS, normalizeCriticality, normalizeEnvironment, normalizePowerState } from "@migrate/domain";
import {
  normalizeAssetType,
  normalizeDatabaseType,
  normalizeHostingModel,
  normalizeOsFamily,
  normalizeServerRole,
  normalizeVirtualizationPlatform,
} from "./vocabularies.ts";

/**
 * How cleansing normalises a text target. `strict`: a value outside the vocabulary is reported
 * and left unset; otherwise it is kept trimmed. `rule` names the change in the audit trail.
 */
export interface TextRule {
  normalize: (value: string, column: string) => string | undefined;
  rule: string;
  strict: boolean;
}

const DASH = /-/g;

function lowercase(value: string): string {
  return value.toLowerCase();
}

export const TEXT_RULES: Readonly<Record<string, TextRule>> = {
  environment: { normalize: normalizeEnvironment, rule: "environment_vocabulary", strict: true },
  criticality: { normalize: normalizeCriticality, rule: "criticality_vocabulary", strict: true },
  power_state: { normalize: normalizePowerState, rule: "power_state_vocabulary", strict: true },
  hosting_model: { normalize: normalizeHostingModel, rule: "hosting_model_vocabulary", strict: true },
  os_family: { normalize: normalizeOsFamily, rule: "os_family_vocabulary", strict: true },
  asset_type: { normalize: normalizeAssetType, rule: "asset_type_vocabulary", strict: true },
  mac_address: {
    normalize: (value) => (MAC_ADDRESS.test(value) ? value.toLowerCase().replace(DASH, ":") : undefined),
    rule: "mac_address_format",
    strict: true,
  },
  database_type: { normalize: normalizeDatabaseType, rule: "database_type_vocabulary", strict: false },
  server_role: { normalize: normalizeServerRole, rule: "server_role_vocabulary", strict: false },
  virtualization_platform: {
    normalize: normalizeVirtualizationPlatform,
    rule: "virtualization_platform_vocabulary",
    strict: false,
  },
  fqdn: { normalize: lowercase, rule: "lowercase", strict: false },
  vm_uuid: { normalize: lowercase, rule: "lowercase", strict: false },
  os_architecture: { normalize: normalizeArchitecture, rule: "architecture_vocabulary", strict: false },
};

const ARCHITECTURES: ReadonlyMap<string, string> = new Map([
  ["x64", "x86_64"],
  ["x86_64", "x86_64"],
  ["amd64", "x86_64"],
  ["64-bit", "x86_64"],
  ["64bit", "x86_64"],
  ["x86", "x86"],
  ["i386", "x86"],
  ["i686", "x86"],
  ["32-bit", "x86"],
  ["32bit", "x86"],
  ["arm64", "arm64"],
  ["aarch64", "arm64"],
  ["ppc64", "ppc64"],
  ["ppc64le", "ppc64le"],
  ["sparc", "sparc"],
]);

function normalizeArchitecture(value: string): string | undefined {
  return ARCHITECTURES.get(value.trim().toLowerCase());
}
