import { MeshError } from "@migrate/errors";

/** The largest result page the flow service serves; larger REST limits are refused, not capped. */
export const MAX_RESULT_LIMIT = 1_000;

export type ExportFormat = "csv" | "json";

/** The flow id of a path or request; an empty one is INVALID_ARGUMENT. */
export function requireFlowId(flowId: string | undefined): string {
  if (!flowId) throw new MeshError("INVALID_ARGUMENT", "flow id is required", { field: "flow_id" });
  return flowId;
}

/** A result page size from a query string (absent: the flow service's default of 100). */
export function resultLimit(value: string | null | undefined): number {
  if (value === null || value === undefined || value === "") return 0;
  const parsed = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > MAX_RESULT_LIMIT) {
    throw new MeshError("INVALID_ARGUMENT", `limit must be an integer from 1 to ${MAX_RESULT_LIMIT}`, {
      field: "limit",
      value: value.slice(0, 32),
    });
  }
  return parsed;
}

/** csv (the default) or json; anything else is refused before a byte is streamed. */
export function exportFormat(value: string | null | undefined): ExportFormat {
  const name = (value ?? "").trim().toLowerCase();
  if (name === "" || name === "csv") return "csv";
  if (name === "json") return "json";
  throw new MeshError("INVALID_ARGUMENT", `unknown export format "${(value ?? "").slice(0, 32)}": use csv or json`, {
    field: "format",
    value: (value ?? "").slice(0, 32),
    valid: ["csv", "json"],
  });
}

/** `true`/`false` (or absent: `fallback`) from a query string. */
export function booleanParam(name: string, value: string | null, fallback: boolean): boolean {
  if (value === null || value === "") return fallback;
  if (value === "true" || value === "1") return true;
  if (value === "false" || value === "0") return false;
  throw new MeshError("INVALID_ARGUMENT", `${name} must be true or false`, { field: name, value: value.slice(0, 32) });
}

/** The asset filters of `/assets` and `/export` (each empty for any); the flow service checks the values. */
export function assetFilterParams(params: URLSearchParams) {
  const get = (name: string) => (params.get(name) ?? "").slice(0, 256);
  return {
    assetType: get("asset_type"),
    environment: get("environment"),
    osFamily: get("os_family"),
    strategy: get("strategy"),
    application: get("application"),
  };
}
