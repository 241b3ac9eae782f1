import type { MessageInitShape } from "@bufbuild/protobuf";
import { MeshError } from "@migrate/errors";
import type {
  Asset,
  AssetRef as AssetRefMessage,
  AssetSchema,
  ChangeSchema,
  DependencyEdge as DependencyEdgeMessage,
  DependencyEdgeSchema,
  FieldMapping,
  IssueSchema,
  RawRecord as RawRecordMessage,
} from "@migrate/gen/agent/v1/agent_pb";
import type { CanonicalAsset, Change, Issue } from "../agents/canonical-asset.ts";
import type { AssetRef, DependencyEdge } from "../agents/dependency-analysis.ts";
import { indexMappings, type MappingIndex, type RawRecord } from "../agents/record-mapping.ts";
import type { StrategyAsset } from "../agents/strategy-recommendation.ts";

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

export function recordsFrom(records: readonly RawRecordMessage[]): RawRecord[] {
  return records.map((record) => ({ row: Number(record.rowNumber), values: record.values }));
}

export function issueOut(issue: Issue): MessageInitShape<typeof IssueSchema> {
  const { row, ...rest } = issue;
  return { ...rest, rowNumber: BigInt(row) };
}

export function changeOut(change: Change): MessageInitShape<typeof ChangeSchema> {
  const { row, ...rest } = change;
  return { ...rest, rowNumber: BigInt(row) };
}

export function assetOut(asset: CanonicalAsset): MessageInitShape<typeof AssetSchema> {
  const { row, ...rest } = asset;
  return { ...rest, rowNumber: BigInt(row) };
}

export function strategyAssetFrom(asset: Asset): StrategyAsset {
  return {
    row: Number(asset.rowNumber),
    assetName: asset.assetName,
    hostname: asset.hostname,
    assetType: asset.assetType,
    serverRole: asset.serverRole,
    environment: asset.environment,
    powerState: asset.powerState,
    memoryGb: asset.memoryGb,
    operatingSystem: asset.operatingSystem,
    osVersion: asset.osVersion,
    osFamily: asset.osFamily,
    databaseType: asset.databaseType,
    technologyStack: asset.technologyStack,
    cpuUtilizationAvg: asset.cpuUtilizationAvg,
    applicationName: asset.applicationName,
    criticality: asset.criticality,
  };
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
