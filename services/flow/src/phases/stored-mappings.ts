import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Kysely } from "@migrate/db";
import type { FieldMappingSchema } from "@migrate/gen/agent/v1/agent_pb";
import type { FlowDatabase } from "../db/flow-database.ts";

export type FieldMappingInit = MessageInitShape<typeof FieldMappingSchema>;

export interface StoredMapping {
  position: number;
  source: string;
  /** Null: kept as a custom attribute. */
  target: string | null;
  confidence: number;
  reason: string;
  unit: string;
  alternatives: Array<{ target: string; confidence: number }>;
  state: "suggested" | "approved" | "corrected";
  /** The column holding the target this one duplicates; empty or absent when none. */
  sibling?: string;
}

/** A flow's field mappings in column order. */
export async function loadMappings(db: Kysely<FlowDatabase>, flowId: string): Promise<StoredMapping[]> {
  return db
    .selectFrom("field_mappings")
    .select(["position", "source", "target", "confidence", "reason", "unit", "alternatives", "state", "sibling"])
    .where("flow_id", "=", flowId)
    .orderBy("position")
    .execute();
}

export function toFieldMapping(mapping: StoredMapping): FieldMappingInit {
  return {
    source: mapping.source,
    target: mapping.target ?? "",
    confidence: mapping.confidence,
    reason: mapping.reason,
    unit: mapping.unit,
    alternatives: mapping.alternatives,
    sibling: mapping.sibling ?? "",
  };
}
