import { normalizeHeader } from "@migrate/domain";

/**
 * What exact matches and the merge key compare: `normalizeHeader` ("Server_Name", "server-name"
 * and "Server Name" are one key), or the trimmed lower-cased text when it has no letter or digit.
 */
export function sourceKey(text: string): string {
  return normalizeHeader(text) || text.trim().toLowerCase();
}
