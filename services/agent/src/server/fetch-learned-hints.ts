import type { CallContext } from "@migrate/grpc";
import type { ColumnProfile, LearnedHint } from "../agents/field-mapping.ts";

/**
 * The tenant's learned field-mapping patterns for these columns: the one seam where the
 * learning service plugs into MapFields. Until that call exists no hints are known, and the
 * mapping rests on format presets, the dictionary, similarity and value shapes.
 */
export async function fetchLearnedHints(_ctx: CallContext, _columns: readonly ColumnProfile[]): Promise<LearnedHint[]> {
  return [];
}
