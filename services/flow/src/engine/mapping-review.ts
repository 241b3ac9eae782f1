import { REQUIRED_TARGET_GROUPS } from "@migrate/domain";

interface ReviewedMapping {
  source: string;
  target: string | null;
  confidence: number;
  state?: string;
}

const LISTED = 10;

/**
 * Why a person must look at these mappings before the flow goes on: a required target group
 * (asset_name or hostname) that no column maps to, and mappings below `threshold`. Corrected
 * mappings are a person's word and never count as low-confidence. Empty: no review needed.
 */
export function reviewReasons(mappings: readonly ReviewedMapping[], threshold: number): string[] {
  const reasons: string[] = [];
  const targets = new Set(mappings.map((m) => m.target).filter(Boolean));
  for (const group of REQUIRED_TARGET_GROUPS) {
    if (!group.some((target) => targets.has(target))) {
      reasons.push(`no column maps to a name or hostname (${group.join(" or ")})`);
    }
  }
  const low = mappings.filter((m) => m.target && m.state !== "corrected" && m.confidence < threshold);
  if (low.length) {
    const listed = low
      .slice(0, LISTED)
      .map((m) => `${m.source} → ${m.target} (${m.confidence.toFixed(2)})`)
      .join(", ");
    const more = low.length > LISTED ? ` and ${low.length - LISTED} more` : "";
    reasons.push(`${low.length} mapping${low.length === 1 ? "" : "s"} below ${threshold} confidence: ${listed}${more}`);
  }
  return reasons;
}

/**
 * What field_mapping decides: nothing stops a flow whose mappings a person has approved;
 * otherwise the review reasons. Empty: the flow goes on without waiting.
 */
export function pendingReview(mappings: readonly ReviewedMapping[], threshold: number): string[] {
  const approved = mappings.length > 0 && mappings.every((m) => m.state !== "suggested");
  return approved ? [] : reviewReasons(mappings, threshold);
}

/** The status message of a flow waiting for its mappings. */
export function reviewMessage(reasons: readonly string[]): string {
  return `field mappings need review: ${reasons.join("; ")}. Correct or approve them to continue.`;
}
