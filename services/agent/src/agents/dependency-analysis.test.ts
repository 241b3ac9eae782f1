import { describe, expect, it } from "vitest";
import { type AssetRef, analyzeDependencies, type Connection } from "./dependency-analysis.ts";

const ref = (row: number, assetName: string, fields: Partial<AssetRef> = {}): AssetRef => ({
  row,
  assetName,
  hostname: assetName.toLowerCase(),
  fqdn: "",
  ipAddresses: [],
  applicationName: "",
  tags: {},
  ...fields,
});
const conn = (row: number, source: string, destination: string, port: number, protocol = "tcp"): Connection => ({
  row,
  source,
  destination,
  port,
  protocol,
});

const assets = [
  ref(1, "BILL-WEB-01", { fqdn: "bill-web-01.corp.local", ipAddresses: ["10.0.0.1"] }),
  ref(2, "bill-db-01", { ipAddresses: ["10.0.0.2"] }),
  ref(3, "cache-01", { hostname: "" }),
];

describe("dependency analysis", () => {
  it("resolves endpoints by host name, FQDN, asset name, short name or IP and names the service by port", () => {
    const { edges } = analyzeDependencies(assets, [
      conn(1, "bill-web-01.corp.local", "10.0.0.2", 1433),
      conn(2, "BILL-WEB-01", "bill-db-01.corp.local", 1433),
      conn(3, "10.0.0.1", "cache-01", 6379),
      conn(4, "bill-web-01", "bill-db-01:5432", 5432),
      conn(5, "10.0.0.1", "10.0.0.2", 9999),
    ]);
    expect(edges).toEqual([
      expect.objectContaining({
        sourceRow: 1,
        targetRow: 2,
        port: 1433,
        serviceKind: "sql_server",
        connectionCount: 2,
      }),
      expect.objectContaining({ sourceRow: 1, targetRow: 3, serviceKind: "redis", external: false }),
      expect.objectContaining({ sourceRow: 1, targetRow: 2, port: 5432, serviceKind: "postgres" }),
      expect.objectContaining({ port: 9999, serviceKind: "unknown", protocol: "TCP" }),
    ]);
    expect(edges[0]).toMatchObject({ sourceLabel: "BILL-WEB-01", targetLabel: "bill-db-01" });
  });

  it("keeps unknown endpoints as external edges and reports each unknown name once", () => {
    const { edges, issues } = analyzeDependencies(assets, [
      conn(1, "partner-gw", "bill-web-01", 443),
      conn(2, "Partner-GW", "bill-web-01", 443),
      conn(3, "bill-web-01", "smtp.example.com", 25),
    ]);
    expect(edges).toEqual([
      expect.objectContaining({
        sourceRow: 0,
        sourceLabel: "partner-gw",
        targetRow: 1,
        external: true,
        connectionCount: 2,
      }),
      expect.objectContaining({ targetRow: 0, targetLabel: "smtp.example.com", serviceKind: "smtp", external: true }),
    ]);
    expect(issues.map((i) => [i.code, i.value, i.row, i.severity])).toEqual([
      ["unknown_host", "partner-gw", 1, "info"],
      ["unknown_host", "smtp.example.com", 3, "info"],
    ]);
  });

  it("reports connections without both ends and ignores a server talking to itself", () => {
    const { edges, issues } = analyzeDependencies(assets, [
      conn(1, "", "bill-db-01", 1433),
      conn(2, "10.0.0.1", "bill-web-01", 80),
    ]);
    expect(edges).toEqual([]);
    expect(issues).toEqual([expect.objectContaining({ row: 1, code: "invalid_connection", severity: "warning" })]);
  });

  // How fast is the discovery-flow benchmark's business; this holds the result at that size.
  it("resolves 50,000 connections against 10,000 assets", () => {
    const many = Array.from({ length: 10_000 }, (_, i) =>
      ref(i + 1, `srv-${i}`, { ipAddresses: [`10.1.${i >> 8}.${i & 255}`] }),
    );
    const connections = Array.from({ length: 50_000 }, (_, i) =>
      conn(i + 1, `srv-${i % 10_000}`, `10.1.${(i * 7) % 39}.${i & 255}`, 443),
    );
    const { edges } = analyzeDependencies(many, connections);
    expect(edges.length).toBeGreaterThan(1_000);
  });
});
