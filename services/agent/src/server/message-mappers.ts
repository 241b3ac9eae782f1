import type { MessageInitShape } from "@bufbuild/protobuf";
import { MeshError } from "@migrate/errors";
import type { FieldMapping, IssueSchema } from "@migrate/gen/agent/v1/agent_pb";
import type { Issue } from "../agents/canonical-asset.ts";
import { indexMappings, type MappingIndex } from "../agents/record-mapping.ts";

/** Wire ↔ agent shapes: row numbers are int64 (bigint) on the wire and numbers in the agents. */

export function mappingIndexFrom(mappings: readonly FieldMapping[]): MappingIndex {
  const index = indexMappings(mappings.map((m) => ({ source: m.source, target: m.target, unit: m.unit })));
  if ("unknownTarget" in index) {
    throw new MeshError("INVALID_ARGUMENT", `mapping target "${index.unknownTarget}" is not a canonical field`, {
      field: "mappings",
      value: index.unknownTarget,
    });
  }
  return index;
}

export function issueOut(issue: Issue): MessageInitShape<typeof IssueSchema> {
  const { row, ...rest } = issue;
  return { ...rest, rowNumber: BigInt(row) };
}
