/** The media types FlowService.CreateFlow accepts. */
export const INVENTORY_MEDIA_TYPES = ["text/csv", "application/json"] as const;
export type InventoryMediaType = (typeof INVENTORY_MEDIA_TYPES)[number];

/**
 * The inventory's media type from a declared type (parameters ignored) or, when that is vague
 * (browsers send CSV as `application/vnd.ms-excel` or `application/octet-stream`), the file's
 * extension. Undefined when neither says CSV or JSON.
 */
export function inventoryMediaType(declared: string | undefined, filename = ""): InventoryMediaType | undefined {
  const essence = (declared ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (essence === "text/csv" || essence === "application/json") return essence;
  const extension = /\.([A-Za-z0-9]+)$/.exec(filename)?.[1]?.toLowerCase();
  if (extension === "json") return "application/json";
  if (extension === "csv" || extension === "tsv" || extension === "txt") return "text/csv";
  return undefined;
}
