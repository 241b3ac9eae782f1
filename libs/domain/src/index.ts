export type { AssetField, FieldType } from "./asset-fields.ts";
export {
  ASSET_FIELD_NAMES,
  ASSET_FIELDS,
  ASSET_TYPES,
  assetField,
  CRITICALITIES,
  ENVIRONMENTS,
  OS_FAMILIES,
  POWER_STATES,
  REQUIRED_TARGET_GROUPS,
} from "./asset-fields.ts";
export type { FlowPhaseName, FlowStatusName } from "./flow-vocabulary.ts";
export { FLOW_PHASES, FLOW_STATUSES } from "./flow-vocabulary.ts";
export type { ConceptWords, FieldConcepts, Language, Quantity } from "./lexicon/index.ts";
export {
  AGGREGATION_WORDS,
  BRACKETED_UNIT_WORDS,
  CUSTOM_CONCEPTS,
  FIELD_CONCEPTS,
  HEADER_WORDS,
  NAMESPACE_WORDS,
  RATE_WORDS,
  STOP_WORDS,
  UNIT_WORDS,
  VALUE_WORDS,
} from "./lexicon/index.ts";
export type { MigrationStrategy } from "./migration-strategies.ts";
export { MIGRATION_STRATEGIES } from "./migration-strategies.ts";
export { headerWords, normalizeHeader } from "./normalize-header.ts";
export type { OsInfo } from "./normalize-values.ts";
export {
  isIpAddress,
  MAC_ADDRESS,
  normalizeCriticality,
  normalizeEnvironment,
  normalizePowerState,
  parseCpuCores,
  parseIpList,
  parseOperatingSystem,
  parsePercent,
  parseSizeGb,
  UUID,
} from "./normalize-values.ts";
export { rawValuesAsText } from "./raw-values.ts";
export { TENANT_ID } from "./tenant-id.ts";
