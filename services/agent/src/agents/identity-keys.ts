import { isIpAddress } from "@migrate/domain";

/**
 * Normalised identity keys: two records describe the same asset when one of these is equal.
 * Each returns "" when the value cannot identify anything.
 */

const NON_HEX = /[^0-9a-f]/g;
const WHITESPACE = /\s+/g;

/** External ids compare case- and space-insensitively ("SRV-1 " = "srv-1"). */
export function externalIdKey(value: string): string {
  return value.trim().toLowerCase().replace(WHITESPACE, "");
}

/** Host names compare lowercased without their domain ("WEB01.corp.local" = "web01"); IPs stay whole. */
export function hostnameKey(value: string): string {
  const text = value.trim().toLowerCase();
  if (!text || isIpAddress(text)) return text;
  const dot = text.indexOf(".");
  return dot > 0 ? text.slice(0, dot) : text;
}

/** VM UUIDs compare as hex digits only (braces, dashes and case vary between tools). */
export function vmUuidKey(value: string): string {
  const hex = value.trim().toLowerCase().replace(NON_HEX, "");
  // Short ids ("vm-101" → "101") are references, not UUIDs: they must not join unrelated machines.
  return hex.length >= 16 ? hex : value.trim().toLowerCase();
}
