import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { api } from "../api/http.ts";
import type { DependencyEdge } from "../api/types.ts";
import { applicationsQuery } from "../applications/applications-screen.tsx";
import { FlowTabs } from "../ui/flow-tabs.tsx";
import { formatCount, label } from "../ui/format.ts";
import { ScrollBox } from "../ui/scroll-box.tsx";
import { Empty, ErrorBox, Loading } from "../ui/states.tsx";
import { DependencyGraph, type GraphEdge, type GraphNode } from "./dependency-graph.tsx";

const MAX_EXTERNAL = 40;

/**
 * The application graph (nodes sized by their assets, edges with their kinds and connection
 * counts, external endpoints as diamonds), focus on one application and its neighbours, the
 * server-level graph of the focused application (from the first 1,000 server connections), and
 * the same edges as a table. Loaded on demand: Cytoscape.js stays out of the console's first load.
 */
export default function DependenciesScreen({ flowId }: { flowId: string }) {
  const apps = useQuery(applicationsQuery(flowId));
  const deps = useQuery({
    queryKey: ["dependencies", flowId],
    queryFn: () => api<{ edges: DependencyEdge[]; total: number }>(`/v1/flows/${flowId}/dependencies?limit=1000`),
  });
  const [focus, setFocus] = useState("");
  const [search, setSearch] = useState("");
  // "servers": the server-level graph of the focused application.
  const [servers, setServers] = useState(false);

  const graph = useMemo(() => {
    if (!apps.data || !deps.data) return null;
    const byRow = new Map<string, string>();
    for (const { application } of apps.data.applications) {
      for (const row of application.asset_row_numbers) byRow.set(String(row), application.key);
    }
    const nodes: GraphNode[] = apps.data.applications.map(({ application }) => ({
      id: application.key,
      label: application.name || application.key,
      assets: application.asset_row_numbers.length,
      external: false,
    }));
    const edges: GraphEdge[] = apps.data.application_edges.map((e) => ({
      id: `${e.source_key}->${e.target_key}`,
      source: e.source_key,
      target: e.target_key,
      label: `${e.service_kinds.join(", ") || "unknown"} ×${e.edge_count}`,
      weight: e.edge_count,
    }));
    // External endpoints, grouped by endpoint and the application that reaches them.
    const external = new Map<string, GraphEdge>();
    for (const edge of deps.data.edges) {
      if (!edge.external) continue;
      const source = byRow.get(String(edge.source_row_number));
      if (!source) continue;
      const target = `external:${edge.target_label}`;
      const id = `${source}->${target}`;
      const known = external.get(id);
      if (known) known.weight += edge.connection_count || 1;
      else if (external.size < MAX_EXTERNAL)
        external.set(id, {
          id,
          source,
          target,
          label: `${edge.service_kind}:${edge.port}`,
          weight: edge.connection_count || 1,
        });
    }
    for (const target of new Set([...external.values()].map((e) => e.target))) {
      nodes.push({ id: target, label: target.slice("external:".length), assets: 0, external: true });
    }
    return { nodes, edges: [...edges, ...external.values()] };
  }, [apps.data, deps.data]);

  const serverGraph = useMemo(() => {
    if (!servers || !focus || !apps.data || !deps.data) return null;
    const rows = new Set(
      apps.data.applications.find((a) => a.application.key === focus)?.application.asset_row_numbers.map(String) ?? [],
    );
    const nodes = new Map<string, GraphNode>();
    const edges: GraphEdge[] = [];
    for (const edge of deps.data.edges) {
      const from = String(edge.source_row_number);
      const to = String(edge.target_row_number);
      if (!rows.has(from) && !rows.has(to)) continue;
      for (const [row, name, own] of [
        [from, edge.source_label, rows.has(from)],
        [to, edge.target_label, rows.has(to)],
      ] as const) {
        const id = row === "0" ? `external:${name}` : `row:${row}`;
        if (!nodes.has(id)) nodes.set(id, { id, label: name, assets: own ? 1 : 0, external: !own });
      }
      const source = from === "0" ? `external:${edge.source_label}` : `row:${from}`;
      const target = to === "0" ? `external:${edge.target_label}` : `row:${to}`;
      edges.push({
        id: `${source}->${target}:${edge.port}`,
        source,
        target,
        label: `${edge.service_kind}:${edge.port}`,
        weight: edge.connection_count || 1,
      });
    }
    return { nodes: [...nodes.values()], edges };
  }, [servers, focus, apps.data, deps.data]);
  const drawn = serverGraph ?? graph;

  const names = new Map([...(graph?.nodes ?? []), ...(serverGraph?.nodes ?? [])].map((n) => [n.id, n.label]));
  const pick = (value: string) => {
    setSearch(value);
    const match = graph?.nodes.find((n) => !n.external && n.label.toLowerCase() === value.trim().toLowerCase());
    if (match) setFocus(match.id);
  };
  const shown = serverGraph
    ? serverGraph.edges
    : (graph?.edges.filter((e) => !focus || e.source === focus || e.target === focus) ?? []);

  return (
    <section aria-labelledby="deps-title">
      <FlowTabs flowId={flowId} />
      <h1 id="deps-title">Dependencies</h1>
      {apps.isPending || deps.isPending ? (
        <Loading label="Loading the dependency map" />
      ) : apps.isError || deps.isError ? (
        <ErrorBox error={apps.error ?? deps.error} title="The dependencies cannot be read" />
      ) : !graph || graph.nodes.length === 0 ? (
        <Empty>No applications to draw yet.</Empty>
      ) : (
        <>
          <search className="filters" aria-label="Focus the graph">
            <label>
              Focus on application
              <input list="graph-nodes" type="search" value={search} onChange={(e) => pick(e.target.value)} />
            </label>
            <datalist id="graph-nodes">
              {graph.nodes.map((n) => (
                <option key={n.id} value={n.label} />
              ))}
            </datalist>
            <button
              type="button"
              className="secondary"
              disabled={!focus}
              onClick={() => {
                setFocus("");
                setSearch("");
                setServers(false);
              }}
            >
              Show all
            </button>
            <button type="button" className="secondary" disabled={!focus} onClick={() => setServers(!servers)}>
              {servers ? "Show applications" : "Show its servers"}
            </button>
            <span className="muted" role="status">
              {servers && focus
                ? `Servers of ${names.get(focus)} and what they talk to`
                : focus
                  ? `Focused on ${names.get(focus)} and its neighbours`
                  : "Whole estate"}{" "}
              · {formatCount(deps.data.total)} server connections
            </span>
          </search>
          <DependencyGraph
            nodes={drawn?.nodes ?? []}
            edges={drawn?.edges ?? []}
            focus={serverGraph ? "" : focus}
            onFocus={(id) => {
              if (serverGraph) return;
              setFocus(id);
              setSearch(names.get(id) ?? "");
            }}
            label={`Dependency graph: ${drawn?.nodes.length ?? 0} ${serverGraph ? "servers" : "applications"} and endpoints, ${drawn?.edges.length ?? 0} links; the table below lists the same links`}
          />
          <ScrollBox label="Dependency links table">
            <table>
              <caption>{formatCount(shown.length)} links</caption>
              <thead>
                <tr>
                  <th scope="col">From</th>
                  <th scope="col">To</th>
                  <th scope="col">Kinds</th>
                  <th scope="col">Connections</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((e) => (
                  <tr key={e.id}>
                    <td>{names.get(e.source)}</td>
                    <td>
                      {names.get(e.target)}
                      {e.target.startsWith("external:") && <span className="badge">external</span>}
                    </td>
                    <td>{label(e.label)}</td>
                    <td className="num">{formatCount(e.weight)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollBox>
        </>
      )}
    </section>
  );
}
