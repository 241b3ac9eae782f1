import {
  isIpAddress,
  MAC_ADDRESS,
  normalizeCriticality,
  normalizeEnvironment,
  normalizePowerState,
  parseOperatingSystem,
  UUID,
} from "@migrate/domain";

// One "@", then a domain with a dot inside it (checked in `isEmail`): as one pattern,
// `[^\s@]+\.[^\s@]+$` tried every dot of a long domain that did not end right (quadratic).
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const DATE = /^(\d{4}-\d{2}-\d{2}([ T][\d:.]+Z?)?|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4})$/;
const MAX_MASK = 24;

/**
 * What a value looks like without what it says: "ip address", "integer (4 digits)",
 * "environment word (production)", or a mask such as "Aaaa-99" (letters a/A, digits 9,
 * punctuation kept). Vocabulary words (environments, power states, criticality levels,
 * operating system families) are named as their normalised value because they are not personal
 * and are what makes a column recognisable. Anything else is masked: a person's name, an email
 * or a host name never leaves the service as written.
 */
export function valueShape(raw: string): string | undefined {
  const value = raw.trim();
  if (!value) return undefined;
  if (isEmail(value)) return "email address";
  if (value.split(/[\s,;]+/).every(isIpAddress)) return value.includes(",") ? "ip address list" : "ip address";
  if (MAC_ADDRESS.test(value)) return "mac address";
  if (UUID.test(value)) return "uuid";
  if (DATE.test(value)) return "date";
  if (/^-?\d+$/.test(value)) return `integer (${value.replace("-", "").length} digits)`;
  if (/^-?\d+[.,]\d+$/.test(value)) return "decimal number";
  const environment = normalizeEnvironment(value);
  if (environment) return `environment word (${environment})`;
  const power = normalizePowerState(value);
  if (power) return `power state word (${power})`;
  const criticality = normalizeCriticality(value);
  if (criticality) return `criticality word (${criticality})`;
  const os = parseOperatingSystem(value);
  if (os && os.family !== "other") return `operating system (${os.family})`;
  return mask(value);
}

/** The distinct shapes of a column's samples, at most `max`. */
export function valueShapes(samples: readonly string[], max = 5): string[] {
  const shapes = new Set<string>();
  for (const sample of samples) {
    const shape = valueShape(sample);
    if (shape) shapes.add(shape);
    if (shapes.size >= max) break;
  }
  return [...shapes];
}

function isEmail(value: string): boolean {
  if (!EMAIL.test(value)) return false;
  const domain = value.slice(value.indexOf("@") + 1);
  // A dot with at least one character before and after it.
  const dot = domain.indexOf(".", 1);
  return dot > 0 && dot < domain.length - 1;
}

function mask(value: string): string {
  let out = "";
  for (const char of value.slice(0, MAX_MASK)) {
    if (/\p{Lu}/u.test(char)) out += "A";
    else if (/\p{L}/u.test(char)) out += "a";
    else if (/\d/.test(char)) out += "9";
    else if (/\s/.test(char)) out += " ";
    else out += char;
  }
  return value.length > MAX_MASK ? `${out}…` : out;
}
