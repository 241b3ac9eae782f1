import { isIpAddress, MAC_ADDRESS, parseSizeGb, UUID } from "@migrate/domain";

const INTEGER = /^[+-]?\d{1,18}$/;
const DECIMAL = /^[+-]?\d+[.,]\d+$/;
const PERCENT = /^\d+(?:[.,]\d+)?\s*%$/;
const DATE = /^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i;
const DNS_NAME = /^(?=.*[a-z])[a-z0-9-]+(?:\.[a-z0-9-]+)+$/i;
const BOOLEAN = /^(?:true|false|yes|no|y|n)$/i;

/** The shape of one sample value: what kind of thing a column holds, whatever its header says. */
export function valueShape(raw: string): string | undefined {
  const value = raw.trim();
  if (!value) return undefined;
  if (INTEGER.test(value)) return "integer";
  if (DECIMAL.test(value)) return "decimal";
  if (PERCENT.test(value)) return "percent";
  if (isIpAddress(value) || value.split(/[;,\s]+/).every((part) => part && isIpAddress(part))) return "ip";
  if (MAC_ADDRESS.test(value)) return "mac";
  if (UUID.test(value)) return "uuid";
  if (DATE.test(value)) return "date";
  if (EMAIL.test(value)) return "email";
  if (BOOLEAN.test(value)) return "boolean";
  if (parseSizeGb(value) !== undefined) return "size";
  if (DNS_NAME.test(value)) return "dns_name";
  return "text";
}

/** The most common shape among a column's sample values (ties: the first seen), if any. */
export function dominantShape(samples: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const sample of samples) {
    const shape = valueShape(sample);
    if (shape) counts.set(shape, (counts.get(shape) ?? 0) + 1);
  }
  let best: string | undefined;
  let bestCount = 0;
  for (const [shape, count] of counts) {
    if (count > bestCount) {
      best = shape;
      bestCount = count;
    }
  }
  return best;
}
