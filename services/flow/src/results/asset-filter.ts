import { ASSET_TYPES, ENVIRONMENTS, MIGRATION_STRATEGIES, OS_FAMILIES } from "@migrate/domain";
import { MeshError } from "@migrate/errors";

/**
 * The filters of ListAssets and ExportAssets, each empty for any. `unknown` asks for the assets
 * without a value, as the report counts them under that key. The application is an exact key.
 */
export interface AssetFilter {
  asset_type: string;
  environment: string;
  os_family: string;
  strategy: string;
  application: string;
}

export type EnumFilter = Exclude<keyof AssetFilter, "application">;

/** The assets without a value, as the report's `by_*` counts name them. */
export const UNKNOWN = "unknown";

const VALID: Record<EnumFilter, readonly string[]> = {
  asset_type: ASSET_TYPES,
  environment: ENVIRONMENTS,
  os_family: OS_FAMILIES,
  strategy: MIGRATION_STRATEGIES,
};

export const ENUM_FILTERS = Object.keys(VALID) as EnumFilter[];

function enumValue(name: EnumFilter, raw: string): string {
  const value = raw.trim().toLowerCase();
  if (value === "" || value === UNKNOWN || VALID[name].includes(value)) return value;
  const valid = [...VALID[name], UNKNOWN];
  throw new MeshError("INVALID_ARGUMENT", `unknown ${name} "${raw.slice(0, 32)}": use one of ${valid.join(", ")}`, {
    field: name,
    value: raw.slice(0, 32),
    valid,
  });
}

/** The request's filters, checked and normalised (lower case, trimmed); an unknown value is INVALID_ARGUMENT. */
export function assetFilter(request: {
  assetType: string;
  environment: string;
  osFamily: string;
  strategy: string;
  application: string;
}): AssetFilter {
  const application = request.application.trim();
  if (application.length > 200) {
    throw new MeshError("INVALID_ARGUMENT", "application must be at most 200 characters", { field: "application" });
  }
  return {
    asset_type: enumValue("asset_type", request.assetType),
    environment: enumValue("environment", request.environment),
    os_family: enumValue("os_family", request.osFamily),
    strategy: enumValue("strategy", request.strategy),
    application,
  };
}

export const NO_ASSET_FILTER: AssetFilter = {
  asset_type: "",
  environment: "",
  os_family: "",
  strategy: "",
  application: "",
};
