/**
 * Calibrated confidence: the chance that a column's mapping is right, from the kind of evidence
 * behind it. The bands were read off the dev part of bench/mapping-corpus (docs/mapping.md): a
 * strong header whose values agree was right in nearly every case; a header that says little
 * ("Type", "Status", "Version") was right when the values agreed fully; values alone were right
 * when they were unmistakable (addresses, UUIDs); values that contradict the header, or two
 * targets that nearly tie, were where the misses were. The review threshold (0.8) falls between.
 */
export interface ConfidenceInput {
  /** Header evidence for the chosen target (0: the values alone chose it). */
  header: number;
  /** Value evidence for it (-1..1). */
  values: number;
  /** Its lead over the column's best other target (1 when there is none). */
  margin: number;
  /** The values alone identify the target. */
  distinctive?: boolean;
}

export function calibratedConfidence({ header, values, margin, distinctive }: ConfidenceInput): number {
  let p: number;
  if (header >= 0.8) p = values >= 0.3 ? 0.97 : values >= 0 ? 0.9 : 0.6;
  else if (header >= 0.45) p = values >= 0.8 ? 0.93 : values >= 0.3 ? 0.75 : 0.55;
  else if (header > 0) p = values >= 0.8 ? 0.7 : 0.5;
  else p = values >= 0.9 ? 0.85 : 0.6;
  // Unmistakable values (addresses, UUIDs, vocabularies) are as sure with a weak header as without one.
  if (distinctive && values >= 0.9) p = Math.max(p, 0.85);
  // Two targets nearly tie: either could be meant.
  if (margin < 0.1) p -= 0.2;
  return Math.round(p * 100) / 100;
}
