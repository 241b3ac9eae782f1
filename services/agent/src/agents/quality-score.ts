import type { CanonicalAsset } from "./canonical-asset.ts";

/**
 * The key facts a migration assessment needs about a server. A row's quality is the share of
 * them present and valid, minus 0.1 per error found in the row, kept within 0..1.
 */
export const QUALITY_KEYS = [
  "identity",
  "ip_addresses",
  "operating_system",
  "cpu_cores",
  "memory_gb",
  "storage_gb",
  "environment",
  "application_name",
] as const;
export type QualityKey = (typeof QUALITY_KEYS)[number];

export const ERROR_PENALTY = 0.1;

export function qualityScore(validKeys: number, errors: number): number {
  const score = validKeys / QUALITY_KEYS.length - ERROR_PENALTY * errors;
  return Math.round(Math.max(0, Math.min(1, score)) * 100) / 100;
}

/** The quality of a cleansed asset: its set fields are valid by construction. */
export function assetQuality(asset: CanonicalAsset, errors = 0): number {
  let valid = 0;
  if (asset.assetName || asset.hostname) valid++;
  if (asset.ipAddresses.length > 0) valid++;
  if (asset.operatingSystem) valid++;
  if (asset.cpuCores !== undefined) valid++;
  if (asset.memoryGb !== undefined) valid++;
  if (asset.storageGb !== undefined) valid++;
  if (asset.environment) valid++;
  if (asset.applicationName) valid++;
  return qualityScore(valid, errors);
}
