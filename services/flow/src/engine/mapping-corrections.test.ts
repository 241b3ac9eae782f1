import type { MeshError } from "@migrate/errors";
import { describe, expect, it } from "vitest";
import type { StoredMapping } from "../phases/stored-mappings.ts";
import { applyCorrections } from "./mapping-corrections.ts";
import { reviewReasons } from "./mapping-review.ts";

const mapping = (
  position: number,
  source: string,
  target: string | null,
  confidence: number,
  unit = "",
): StoredMapping => ({
  position,
  source,
  target,
  confidence,
  reason: "dictionary",
  unit,
  alternatives: [],
  state: "suggested",
});
const stored = [
  mapping(0, "Server", "asset_name", 0.95),
  mapping(1, "RAM", "memory_gb", 0.62, "mb"),
  mapping(2, "Disk 1", "storage_gb", 0.9),
  mapping(3, "Blob", null, 0),
];
const columns = stored.map((m) => m.source);

function refusal(run: () => unknown): MeshError {
  try {
    run();
  } catch (error) {
    return error as MeshError;
  }
  throw new Error("expected a refusal");
}

describe("reviewReasons", () => {
  it("names missing identity and lists low-confidence mappings", () => {
    expect(reviewReasons(stored, 0.8)).toEqual(["1 mapping below 0.8 confidence: RAM → memory_gb (0.62)"]);
    expect(reviewReasons([mapping(0, "X", "cpu_cores", 0.9)], 0.8)).toEqual([
      "no column maps to a name or hostname (asset_name or hostname)",
    ]);
    expect(reviewReasons([{ ...stored[1]!, state: "corrected" }, stored[0]!], 0.8)).toEqual([]);
  });
});

describe("applyCorrections", () => {
  it("corrects named columns, approves the rest, and keeps a size unit only on a size target", () => {
    const { mappings, applied } = applyCorrections(
      stored,
      [
        { sourceField: "Blob", targetField: "storage_gb" },
        { sourceField: "RAM", targetField: "" },
      ],
      { columns, user: "ana" },
    );
    expect(mappings.map((m) => [m.source, m.target, m.confidence, m.state, m.unit])).toEqual([
      ["Server", "asset_name", 0.95, "approved", ""],
      ["RAM", null, 1, "corrected", ""],
      ["Disk 1", "storage_gb", 0.9, "approved", ""],
      ["Blob", "storage_gb", 1, "corrected", ""],
    ]);
    expect(mappings[1]?.reason).toBe("corrected by ana");
    expect(applied).toEqual([
      { source: "Blob", suggestedTarget: null, suggestedConfidence: 0, correctedTarget: "storage_gb" },
      { source: "RAM", suggestedTarget: "memory_gb", suggestedConfidence: 0.62, correctedTarget: null },
    ]);
  });

  it("refuses unknown targets and columns, repeats, clashes on single-valued targets, and losing the name", () => {
    const unknown = refusal(() =>
      applyCorrections(stored, [{ sourceField: "RAM", targetField: "ram" }], { columns, user: "" }),
    );
    expect(unknown.code).toBe("INVALID_ARGUMENT");
    expect(unknown.message).toMatch(/^unknown target field ram; valid targets: external_id, asset_name/);
    expect(unknown.details.valid).toContain("memory_gb");
    expect(
      refusal(() => applyCorrections(stored, [{ sourceField: "Nope", targetField: "" }], { columns, user: "" }))
        .details,
    ).toMatchObject({ field: "source_field", value: "Nope" });
    expect(
      refusal(() =>
        applyCorrections(
          stored,
          [
            { sourceField: "RAM", targetField: "cpu_cores" },
            { sourceField: "RAM", targetField: "memory_gb" },
          ],
          { columns, user: "" },
        ),
      ).message,
    ).toMatch(/corrected more than once/);
    expect(
      refusal(() =>
        applyCorrections(stored, [{ sourceField: "Blob", targetField: "asset_name" }], { columns, user: "" }),
      ).message,
    ).toBe(
      'columns "Server" and "Blob" would both map to asset_name; only storage_gb, ip_addresses, tags may take several columns',
    );
    expect(
      refusal(() => applyCorrections(stored, [{ sourceField: "Server", targetField: "" }], { columns, user: "" }))
        .message,
    ).toMatch(/no column maps to a name or hostname/);
  });
});
