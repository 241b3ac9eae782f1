import { CUSTOM, FIELDS, type FieldDescription, GENERIC_CONCEPTS, SUBJECTS } from "./field-descriptions.ts";
import type { HeaderReading } from "./header-reader.ts";
import { valueFit } from "./value-fit.ts";
import type { ValueProfile } from "./value-profile.ts";

/** One (column, target) pair, scored, with the evidence behind the score in words. */
export interface ScoredTarget {
  target: string;
  score: number;
  /** Header evidence alone (-1..1); 0 when the header says nothing about the target. */
  header: number;
  /** Value evidence alone (-1..1). */
  values: number;
  /** The values alone identify the target. */
  distinctive?: boolean;
  reason: string;
}

const QUANTITY_UNITS: Record<string, ReadonlyArray<string | undefined>> = {
  size: ["size", undefined],
  percent: ["percent", undefined],
  rate: ["rate", undefined],
  count: [undefined],
};
const VALUE_WEIGHT = 0.35;
const CONTRADICTION_WEIGHT = 0.6;
const VALUE_ONLY_WEIGHT = 0.55;

/** Scores one column against every canonical field; best first, weak ones left out. */
export function scoreColumn(reading: HeaderReading, profile: ValueProfile, floor = 0.2): ScoredTarget[] {
  const out: ScoredTarget[] = [];
  for (const field of FIELDS) {
    const scored = scorePair(reading, profile, field);
    if (scored.score >= floor) out.push(scored);
  }
  return out.sort((a, b) => b.score - a.score);
}

export function scorePair(reading: HeaderReading, profile: ValueProfile, field: FieldDescription): ScoredTarget {
  const { concepts } = reading;
  let header = 0;
  let said: readonly string[] = [];
  for (const saying of field.sayings) {
    if (saying.weight > header && saying.concepts.every((c) => concepts.has(c))) {
      header = saying.weight;
      said = saying.concepts;
    }
  }
  // "#" or "Nr." over 1, 2, 3...: the row number, not an identifier of the asset.
  if (profile.sequence && said.length === 1 && said[0] === "number") header = 0;
  const against: string[] = [];
  if (header > 0) {
    // A utilisation read from "%" alone is a little less sure than one the header names.
    if (said.includes("utilization") && concepts.get("utilization")?.endsWith(" %")) header -= 0.1;
    // A word read as the lexicon word one typo away is a guess.
    if (said.some((c) => reading.guessed.has(c))) header -= 0.35;
    // Words the lexicon does not know may change the meaning ("cpu demand %").
    header -= Math.min(0.15, 0.05 * reading.unknown.filter((w) => w.length >= 3).length);
  }
  if (header > 0) {
    // A word with several meanings ("usage": utilisation, or role in French) counts for the one used.
    const saidWords = new Set(said.map((c) => concepts.get(c)));
    for (const concept of concepts.keys()) {
      const word = concepts.get(concept);
      if (saidWords.has(word)) continue;
      if (field.not?.includes(concept)) {
        header -= 0.6;
        against.push(`"${word}"`);
      } else if (CUSTOM.has(concept) && !field.own.has(concept)) {
        // Notes, dates, costs, queues: the column is about something else.
        header -= 1;
        against.push(`"${word}"`);
      } else if (SUBJECTS.has(concept) && !field.own.has(concept)) {
        // "DB name", "Hypervisor name": a generic word next to another subject is that subject's.
        header -= said.every((c) => GENERIC_CONCEPTS.has(c)) ? 0.7 : 0.3;
        against.push(`"${word}"`);
      }
    }
    if (reading.negation && ["size", "percent", "count", "rate"].includes(field.quantity) && !field.own.has("free")) {
      header -= 0.8;
      if (!against.includes(`"${reading.negation}"`)) against.push(`"${reading.negation}"`);
    }
    header += unitFit(reading, field, against) + aggregationFit(reading, field, against);
  }
  const fit = valueFit(field, profile, header > 0 ? said : []);
  let score: number;
  // Values that contradict the header weigh more than values that agree with it.
  if (header > 0) score = header + (fit.fit >= 0 ? VALUE_WEIGHT : CONTRADICTION_WEIGHT) * fit.fit;
  else if (fit.distinctive && concepts.size === 0) score = VALUE_ONLY_WEIGHT * fit.fit + 0.1;
  else if (fit.distinctive && !reading.negation && !hasCustom(reading) && !namesOtherSubject(reading, field))
    score = VALUE_ONLY_WEIGHT * fit.fit;
  else score = Math.min(header, 0);
  const words = said.map((c) => `"${concepts.get(c)}"`).join(" + ");
  const parts = [
    header > 0 ? `header says ${words}` : "",
    reading.unit && header > 0 ? `unit ${reading.unit}` : "",
    reading.aggregation && header > 0 ? `aggregation ${reading.aggregation}` : "",
    against.length ? `against: ${against.join(", ")}` : "",
    fit.why ? `values: ${fit.why}` : "",
  ].filter(Boolean);
  return {
    target: field.field,
    score: round(score),
    header: round(header),
    values: fit.fit,
    distinctive: fit.distinctive,
    reason: parts.join("; "),
  };
}

/** The header names the subject of some other field ("VM Host": a hypervisor), so values alone cannot decide. */
function namesOtherSubject(reading: HeaderReading, field: FieldDescription): boolean {
  for (const concept of reading.concepts.keys()) if (SUBJECTS.has(concept) && !field.own.has(concept)) return true;
  return false;
}

function hasCustom(reading: HeaderReading): boolean {
  for (const concept of reading.concepts.keys()) if (CUSTOM.has(concept)) return true;
  return false;
}

function unitFit(reading: HeaderReading, field: FieldDescription, against: string[]): number {
  const kind = reading.unitKind;
  if (!kind) return 0;
  const accepted = QUANTITY_UNITS[field.quantity];
  if (accepted?.includes(kind)) return 0.05;
  // A unit that does not fit the field's quantity: MB on a percentage, % on a size, MHz on cores.
  if (kind === "time" && field.quantity === "count") return 0;
  against.push(`unit ${reading.unit}`);
  return -0.5;
}

function aggregationFit(reading: HeaderReading, field: FieldDescription, against: string[]): number {
  const agg = reading.aggregation === "current" ? undefined : reading.aggregation;
  if (field.aggregation === "avg") {
    if (agg === "max" || agg === "min") {
      against.push(`aggregation ${agg}`);
      return -0.6;
    }
    return agg === "avg" ? 0.05 : 0;
  }
  if (field.aggregation === "max") {
    if (agg === "max") return 0.05;
    // A peak must say so: a percentage with no aggregation is the average's or something else's.
    against.push(agg ? `aggregation ${agg}` : "no max/peak in the header");
    return -2;
  }
  if (agg && agg !== "sum") {
    against.push(`aggregation ${agg}`);
    return -0.3;
  }
  return 0;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
