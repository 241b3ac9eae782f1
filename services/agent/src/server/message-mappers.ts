import type { MessageInitShape } from "@bufbuild/protobuf";
import { MeshError } from "@migrate/errors";
import type {
  AssetRef as AssetRefMessage,
  DependencyEdge as DependencyEdgeMessage,
  DependencyEdgeSchema,
  FieldMapping,
  IssueSchema,
} from "@migrate/gen/agent/v1/agent_pb";
import type { Issue } from "../agents/canonical-asset.ts";
import type { AssetRef, DependencyEdge } from "../agents/dependency-analysis.ts";
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

export function assetRefFrom(asset: AssetRefMessage): AssetRef {
  return {
    row: Number(asset.rowNumber),
    assetName: asset.assetName,
    hostname: asset.hostname,
    fqdn: asset.fqdn,
    ipAddresses: asset.ipAddresses,
    applicationName: asset.applicationName,
    tags: asset.tags,
  };
}

export function edgeFrom(edge: DependencyEdgeMessage): DependencyEdge {
  return {
    sourceRow: Number(edge.sourceRowNumber),
    sourceLabel: edge.sourceLabel,
    targetRow: Number(edge.targetRowNumber),
    targetLabel: edge.targetLabel,
    port: edge.port,
    protocol: edge.protocol,
    serviceKind: edge.serviceKind,
    connectionCount: edge.connectionCount,
    external: edge.external,
  };
}

export function edgeOut(edge: DependencyEdge): MessageInitShape<typeof DependencyEdgeSchema> {
  const { sourceRow, targetRow, ...rest } = edge;
  return { ...rest, sourceRowNumber: BigInt(sourceRow), targetRowNumber: BigInt(targetRow) };
}
