import { isIpAddress } from "@migrate/domain";
import type { Issue } from "./canonical-asset.ts";
import { hostnameKey } from "./identity-keys.ts";
import { serviceKind } from "./service-kinds.ts";

/** What the dependency and application agents need to know of an asset. */
export interface AssetRef {
  row: number;
  assetName: string;
  hostname: string;
  fqdn: string;
  ipAddresses: readonly string[];
  applicationName: string;
  tags: Readonly<Record<string, string>>;
}

export interface Connection {
  row: number;
  source: string;
  destination: string;
  port: number;
  protocol: string;
}

export interface DependencyEdge {
  /** 0 when the endpoint is not in the inventory. */
  sourceRow: number;
  sourceLabel: string;
  targetRow: number;
  targetLabel: string;
  port: number;
  protocol: string;
  serviceKind: string;
  connectionCount: number;
  external: boolean;
}

const HOST_PORT = /^([^:]+):(\d{1,5})$/;

/**
 * Turns a connections file into server-to-server edges: each endpoint is resolved against the
 * inventory by host name, FQDN, asset name, short name or IP (all indexed once), unknown ones
 * are kept as external edges, the port says the service kind, and identical
 * (source, target, port, protocol) connections are counted into one edge.
 */
export function analyzeDependencies(
  assets: readonly AssetRef[],
  connections: readonly Connection[],
): { edges: DependencyEdge[]; issues: Issue[] } {
  const analysis = dependencyAnalysis();
  analysis.addAssets(assets);
  analysis.addConnections(connections);
  return analysis.result();
}

/**
 * The same analysis fed in pieces, so a caller streaming a large estate holds only the index of
 * names and the edges found, never the refs or connections themselves: every asset is added
 * before the first connection, which is resolved as it is added.
 */
export function dependencyAnalysis() {
  const index = new Map<string, number>();
  const shortNames: Array<{ row: number; names: string[] }> = [];
  const labels = new Map<number, string>();
  const edges = new Map<string, DependencyEdge>();
  const issues: Issue[] = [];
  const unknown = new Set<string>();
  let resolving = false;

  const add = (key: string, row: number) => {
    if (key && !index.has(key)) index.set(key, row);
  };
  // Short names are indexed after every full name of every asset, so they are kept until the
  // first connection: a short name never hides another asset's full name.
  const indexShortNames = () => {
    for (const { row, names } of shortNames) for (const name of names) add(hostnameKey(name), row);
    shortNames.length = 0;
    resolving = true;
  };

  const resolve = (text: string, connection: Connection, column: string): { row: number; label: string } => {
    const lower = text.toLowerCase();
    const bare = HOST_PORT.exec(lower)?.[1] ?? lower;
    const row = index.get(bare) ?? index.get(hostnameKey(bare)) ?? 0;
    if (row) return { row, label: labels.get(row) ?? text };
    if (!unknown.has(bare)) {
      unknown.add(bare);
      issues.push({
        row: connection.row,
        column,
        field: column,
        value: text,
        severity: "info",
        code: "unknown_host",
        message: `"${text}" is not in the inventory; kept as an external endpoint`,
      });
    }
    return { row: 0, label: text };
  };

  return {
    /** Indexes every name and address of these assets; refused once connections are being resolved. */
    addAssets(assets: readonly AssetRef[]) {
      if (resolving) throw new Error("assets must all be added before the first connection");
      for (const asset of assets) {
        add(asset.hostname.trim().toLowerCase(), asset.row);
        add(asset.fqdn.trim().toLowerCase(), asset.row);
        add(asset.assetName.trim().toLowerCase(), asset.row);
        for (const ip of asset.ipAddresses) if (isIpAddress(ip.trim())) add(ip.trim().toLowerCase(), asset.row);
        shortNames.push({ row: asset.row, names: [asset.hostname, asset.fqdn, asset.assetName] });
        labels.set(
          asset.row,
          asset.assetName || asset.hostname || asset.fqdn || asset.ipAddresses[0] || `row ${asset.row}`,
        );
      }
    },

    addConnections(connections: readonly Connection[]) {
      if (!resolving) indexShortNames();
      for (const connection of connections) {
        const sourceText = connection.source.trim();
        const destinationText = connection.destination.trim();
        if (!sourceText || !destinationText) {
          issues.push({
            row: connection.row,
            column: sourceText ? "destination" : "source",
            field: "",
            value: "",
            severity: "warning",
            code: "invalid_connection",
            message: "a connection needs both a source and a destination",
          });
          continue;
        }
        const source = resolve(sourceText, connection, "source");
        const target = resolve(destinationText, connection, "destination");
        // A server talking to itself is not a dependency between servers.
        if (source.row && source.row === target.row) continue;
        const protocol = connection.protocol.trim().toUpperCase();
        const key = `${endpointKey(source)}\u0000${endpointKey(target)}\u0000${connection.port}\u0000${protocol}`;
        const existing = edges.get(key);
        if (existing) {
          existing.connectionCount++;
          continue;
        }
        edges.set(key, {
          sourceRow: source.row,
          sourceLabel: source.label,
          targetRow: target.row,
          targetLabel: target.label,
          port: connection.port,
          protocol,
          serviceKind: serviceKind(connection.port),
          connectionCount: 1,
          external: source.row === 0 || target.row === 0,
        });
      }
    },

    /** The edges in order of first appearance, and the issues found. */
    result(): { edges: DependencyEdge[]; issues: Issue[] } {
      return { edges: [...edges.values()], issues };
    },
  };
}

function endpointKey(endpoint: { row: number; label: string }): string {
  return endpoint.row ? `#${endpoint.row}` : `@${endpoint.label.toLowerCase()}`;
}
