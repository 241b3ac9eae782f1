import { describe, expect, it } from "vitest";
import { discoverApplications, discoveryAsset, discoveryEdge } from "./application-discovery.ts";
import type { AssetRef, DependencyEdge } from "./dependency-analysis.ts";

const ref = (row: number, assetName: string, fields: Partial<AssetRef> = {}): AssetRef => ({
  row,
  assetName,
  hostname: assetName,
  fqdn: "",
  ipAddresses: [],
  applicationName: "",
  tags: {},
  ...fields,
});
const edge = (sourceRow: number, targetRow: number, serviceKind = "https"): DependencyEdge => ({
  sourceRow,
  sourceLabel: "",
  targetRow,
  targetLabel: "",
  port: 443,
  protocol: "TCP",
  serviceKind,
  connectionCount: 1,
  external: sourceRow === 0 || targetRow === 0,
});

const assets = [
  ref(1, "pay-web-01", { applicationName: "Payments" }),
  ref(2, "pay-db-01", { applicationName: " payments " }),
  ref(3, "pay-app-09"),
  ref(4, "x-17", { tags: { env: "prod", App: "Ledger" } }),
  ref(5, "bill-web-01"),
  ref(6, "bill-db-02"),
  ref(7, "alpha"),
  ref(8, "beta"),
  ref(9, "gamma"),
  ref(10, "web-01"),
];
const edges = [edge(7, 8), edge(0, 9), edge(5, 1), edge(6, 2, "sql_server"), edge(1, 4), edge(5, 1)];
const { applications, applicationEdges } = discoverApplications(assets, edges);
const app = (key: string) => applications.find((a) => a.key === key);

describe("application discovery", () => {
  it("groups by the application column (normalised), with 0.95 confidence", () => {
    expect(app("payments")).toMatchObject({ name: "Payments", method: "application_column", confidence: 0.95 });
  });

  it("adds servers sharing a found application's name prefix to it", () => {
    expect(app("payments")?.assetRows).toEqual([1, 2, 3]);
    expect(app("payments")?.reason).toContain("1 more by their shared name prefix");
  });

  it("uses an app tag (0.85), then a naming convention of at least two members (0.7)", () => {
    expect(app("ledger")).toMatchObject({ assetRows: [4], method: "tags", confidence: 0.85 });
    expect(app("bill")).toMatchObject({ assetRows: [5, 6], method: "naming_convention", confidence: 0.7 });
  });

  it("groups what is left by dependency components (0.6); singletons stand alone (0.4) and say so", () => {
    expect(app("alpha-group")).toMatchObject({ assetRows: [7, 8], method: "dependency_graph", confidence: 0.6 });
    const gamma = app("gamma");
    expect(gamma).toMatchObject({ assetRows: [9], confidence: 0.4 });
    expect(gamma?.reason).toContain("stands alone");
    // "web" names a role, not an application.
    expect(app("web-01")?.assetRows).toEqual([10]);
  });

  it("puts every asset in exactly one application with a unique key", () => {
    const rows = applications.flatMap((a) => a.assetRows).sort((a, b) => a - b);
    expect(rows).toEqual(assets.map((a) => a.row));
    expect(new Set(applications.map((a) => a.key)).size).toBe(applications.length);
  });

  it("derives application edges from server edges, counting them and naming service kinds", () => {
    expect(applicationEdges).toEqual([
      { sourceKey: "bill", targetKey: "payments", edgeCount: 3, serviceKinds: ["https", "sql_server"] },
      { sourceKey: "payments", targetKey: "ledger", edgeCount: 1, serviceKinds: ["https"] },
    ]);
  });

  it("finds the same applications from only what it reads of each asset and edge", () => {
    const full = assets.map((a) => ({ ...a, fqdn: `${a.assetName}.corp`, ipAddresses: ["10.0.0.1"] }));
    const withLabels = edges.map((e) => ({ ...e, sourceLabel: "s", targetLabel: "t" }));
    expect(discoverApplications(full.map(discoveryAsset), withLabels.map(discoveryEdge))).toEqual(
      discoverApplications(full, withLabels),
    );
    expect(discoveryAsset(assets[3] as AssetRef).tags).toEqual({ App: "Ledger" });
  });

  it("gives the same keys whatever the input order", () => {
    const again = discoverApplications([...assets].reverse(), edges);
    expect(again.applications.map((a) => [a.key, a.assetRows])).toEqual(applications.map((a) => [a.key, a.assetRows]));
  });
});
