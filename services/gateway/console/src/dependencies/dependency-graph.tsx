import cytoscape, { type Core, type ElementDefinition } from "cytoscape";
import { useEffect, useRef } from "react";

export interface GraphNode {
  id: string;
  label: string;
  assets: number;
  external: boolean;
}
export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  label: string;
  weight: number;
}

// Cytoscape adds an inline <style> (position: relative on its container) unless an element with
// this id exists; the console's CSP refuses inline styles, and styles.css carries that rule.
const CYTOSCAPE_STYLESHEET_ID = "__________cytoscape_stylesheet";
function markCytoscapeStylesheet(): void {
  if (document.getElementById(CYTOSCAPE_STYLESHEET_ID)) return;
  const marker = document.createElement("meta");
  marker.id = CYTOSCAPE_STYLESHEET_ID;
  marker.name = "cytoscape-container-style";
  marker.content = "in styles.css";
  document.head.append(marker);
}

const STYLE: cytoscape.StylesheetJson = [
  {
    selector: "node",
    style: {
      label: "data(label)",
      "background-color": "#0b5cad",
      width: "data(size)",
      height: "data(size)",
      "font-size": 11,
      color: "#1b1f24",
      "text-valign": "bottom",
      "text-margin-y": 4,
    },
  },
  { selector: "node.external", style: { shape: "diamond", "background-color": "#9a6700" } },
  { selector: "node.focused", style: { "border-width": 4, "border-color": "#1f6feb" } },
  {
    selector: "edge",
    style: {
      width: "data(width)",
      "line-color": "#8c959f",
      "target-arrow-color": "#8c959f",
      "target-arrow-shape": "triangle",
      "curve-style": "bezier",
      label: "data(label)",
      "font-size": 9,
      color: "#57606a",
      "text-rotation": "autorotate",
    },
  },
  { selector: ".faded", style: { opacity: 0.12 } },
];

/**
 * The graph on a canvas (Cytoscape.js, force-directed "cose" layout): thousands of nodes stay
 * smooth where a DOM or SVG graph would not. `focus` highlights one node and its neighbours.
 */
export function DependencyGraph(props: {
  nodes: GraphNode[];
  edges: GraphEdge[];
  focus: string;
  onFocus: (id: string) => void;
  label: string;
}) {
  const container = useRef<HTMLDivElement>(null);
  const cy = useRef<Core | null>(null);
  const onFocus = useRef(props.onFocus);
  onFocus.current = props.onFocus;
  // Read by a rebuilt graph, so it keeps the focus it had.
  const focus = useRef(props.focus);
  focus.current = props.focus;

  useEffect(() => {
    if (!container.current) return;
    markCytoscapeStylesheet();
    const maxAssets = Math.max(1, ...props.nodes.map((n) => n.assets));
    const maxWeight = Math.max(1, ...props.edges.map((e) => e.weight));
    const elements: ElementDefinition[] = [
      ...props.nodes.map((n) => ({
        data: { id: n.id, label: n.label, size: n.external ? 16 : 18 + 42 * Math.sqrt(n.assets / maxAssets) },
        classes: n.external ? "external" : "",
      })),
      ...props.edges.map((e) => ({
        data: { id: e.id, source: e.source, target: e.target, label: e.label, width: 1 + 4 * (e.weight / maxWeight) },
      })),
    ];
    const instance = cytoscape({
      container: container.current,
      elements,
      style: STYLE,
      layout: { name: "cose", animate: false, randomize: false, nodeRepulsion: () => 8000, idealEdgeLength: () => 90 },
      minZoom: 0.1,
      maxZoom: 4,
    });
    instance.on("tap", "node", (event) => onFocus.current(event.target.id()));
    cy.current = instance;
    applyFocus(instance, focus.current);
    return () => {
      instance.destroy();
      cy.current = null;
    };
  }, [props.nodes, props.edges]);

  useEffect(() => {
    if (cy.current) applyFocus(cy.current, props.focus);
  }, [props.focus]);

  return (
    <div
      ref={container}
      className="graph"
      role="img"
      aria-label={props.label}
      data-testid="dependency-graph"
      data-nodes={props.nodes.length}
      data-edges={props.edges.length}
    />
  );
}

/** Fades all but `id` and its neighbours and fits them in view; an empty id shows everything. */
function applyFocus(instance: Core, id: string): void {
  instance.elements().removeClass("faded focused");
  const node = id ? instance.getElementById(id) : undefined;
  const around = node && !node.empty() ? node.closedNeighborhood() : instance.elements();
  if (node && !node.empty()) {
    instance.elements().not(around).addClass("faded");
    node.addClass("focused");
  }
  instance.fit(around, 40);
  // A lone node fitted to the view would fill it: keep the scale readable.
  if (instance.zoom() > MAX_FIT_ZOOM) {
    instance.zoom(MAX_FIT_ZOOM);
    instance.center(around);
  }
}

const MAX_FIT_ZOOM = 1.25;
