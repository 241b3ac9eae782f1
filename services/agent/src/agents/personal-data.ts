import { headerWords, isIpAddress } from "@migrate/domain";
import { type RecordSteps, runToEnd } from "./batch-budget.ts";
import { isBlank, NUMERIC_TARGETS } from "./numeric-fields.ts";
import type { MappingIndex, RawRecord } from "./record-mapping.ts";

export type PersonalDataKind = "email" | "phone" | "person_name";

export interface PersonalDataFinding {
  column: string;
  kind: PersonalDataKind;
  /** The first row where the column holds such a value. */
  firstRow: number;
}

// A column is judged on its first values: enough to decide, and cheap on 10,000 rows.
const SAMPLE_SIZE = 200;
const SHARE = 0.5;
const SHARE_WITH_HINT = 0.2;

// An address anywhere in the value. The local part is only looked at next to the "@" (the
// lookbehind): an unanchored `[^\s@<>,;]+@` retried it from every earlier position, quadratic
// in a long cell without an "@" nearby (40,000 characters took 0.7 s).
const EMAIL = /(?<=[^\s@<>,;])@[^\s@<>,;]+\.[a-z]{2,}/i;
const PHONE_SHAPE = /^\+?[\d\s().-]{7,22}$/;
const PHONE_SEPARATOR = /[+\s()-]/;
const DAY_DATE = /^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}/;
const NON_DIGIT = /\D/g;
const GROUP_WORDS =
  /\b(team|group|ops|operations|support|dept|department|admins?|it|services?|desk|infra|infrastructure|unassigned)\b/i;
const OWNER_TARGETS = new Set(["business_owner", "technical_owner"]);
// Columns whose values are machine identifiers, where a digit run is never a phone number.
const MACHINE_TARGETS = new Set([
  ...NUMERIC_TARGETS,
  "ip_addresses",
  "mac_address",
  "vm_uuid",
  "serial_number",
  "external_id",
]);
const EMAIL_HINTS = new Set(["email", "mail", "e"]);
const PHONE_HINTS = new Set(["phone", "mobile", "tel", "telephone", "cell"]);

/**
 * Finds the columns of a batch that hold personal data: email addresses, phone numbers, and
 * people named in owner columns. Only the column and kind are reported, never the values.
 */
export function detectPersonalData(records: readonly RawRecord[], index: MappingIndex): PersonalDataFinding[] {
  return runToEnd(personalDataSteps(records, index));
}

/** `detectPersonalData` one record at a time (each step yields the row done), for a paced caller. */
export function* personalDataSteps(
  records: readonly RawRecord[],
  index: MappingIndex,
): RecordSteps<PersonalDataFinding[]> {
  const { targetOf } = index;
  const stats = new Map<string, { seen: number; email: number; phone: number; person: number; firstRow: number }>();
  for (const record of records) {
    for (const column in record.values) {
      const raw = record.values[column];
      if (isBlank(raw)) continue;
      let stat = stats.get(column);
      if (!stat) {
        stat = { seen: 0, email: 0, phone: 0, person: 0, firstRow: 0 };
        stats.set(column, stat);
      }
      if (stat.seen >= SAMPLE_SIZE) continue;
      stat.seen++;
      const value = (raw as string).trim();
      const target = targetOf.get(column) ?? "";
      let hit = false;
      if (EMAIL.test(value)) {
        stat.email++;
        hit = true;
      } else if (!MACHINE_TARGETS.has(target) && looksLikePhone(value)) {
        stat.phone++;
        hit = true;
      } else if (OWNER_TARGETS.has(target) && !GROUP_WORDS.test(value)) {
        stat.person++;
        hit = true;
      }
      if (hit && stat.firstRow === 0) stat.firstRow = record.row;
    }
    yield record.row;
  }
  const findings: PersonalDataFinding[] = [];
  for (const [column, stat] of stats) {
    const words = headerWords(column);
    const emailShare = words.some((w) => EMAIL_HINTS.has(w)) ? SHARE_WITH_HINT : SHARE;
    const phoneShare = words.some((w) => PHONE_HINTS.has(w)) ? SHARE_WITH_HINT : SHARE;
    const mapped = targetOf.get(column) ?? "";
    if (stat.email / stat.seen >= emailShare) findings.push({ column, kind: "email", firstRow: stat.firstRow });
    else if (stat.phone / stat.seen >= phoneShare) findings.push({ column, kind: "phone", firstRow: stat.firstRow });
    else if (OWNER_TARGETS.has(mapped) && (stat.person + stat.email) / stat.seen >= SHARE) {
      findings.push({ column, kind: "person_name", firstRow: stat.firstRow });
    }
  }
  return findings;
}

function looksLikePhone(value: string): boolean {
  if (
    !PHONE_SHAPE.test(value) ||
    !PHONE_SEPARATOR.test(value) ||
    ISO_DATE.test(value) ||
    DAY_DATE.test(value) ||
    isIpAddress(value)
  ) {
    return false;
  }
  const digits = value.replace(NON_DIGIT, "").length;
  return digits >= 7 && digits <= 15;
}

export const PERSONAL_DATA_LABELS: Readonly<Record<PersonalDataKind, string>> = {
  email: "email addresses",
  phone: "phone numbers",
  person_name: "names or user ids of people",
};
