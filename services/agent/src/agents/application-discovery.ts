import type { AssetRef, DependencyEdge } from "./dependency-analysis.ts";
import { hostnameKey } from "./identity-keys.ts";
import { DEVICE_TOKENS, ROLE_TOKENS } from "./vocabularies.ts";

export interface Application {
  /** Stable slug, unique within the flow. */
  key: string;
  name: string;
  assetRows: number[];
  method: "application_column" | "tags" | "naming_convention" | "dependency_graph";
  confidence: number;
  reason: string;
}

export interface ApplicationEdge {
  sourceKey: string;
  targetKey: string;
  edgeCount: number;
  serviceKinds: string[];
}

export const APPLICATION_CONFIDENCE = {
  application_column: 0.95,
  tags: 0.85,
  naming_convention: 0.7,
  dependency_graph: 0.6,
  singleton: 0.4,
} as const;

const APP_TAG_KEYS: ReadonlySet<string> = new Set([
  "app",
  "application",
  "application_name",
  "applicationname",
  "app_name",
  "appname",
]);
const NOT_WORD = /[^a-z0-9]+/g;
const NAME_PARTS = /[-_\s]+/;
const PREFIX = /^[a-z][a-z0-9]{1,19}$/;
/** A name prefix shared by at least this share of an application's members is that application's. */
const PREFIX_SHARE = 0.8;
// First name tokens that say what a server is or where it runs, not which application it serves.
const GENERIC_PREFIXES: ReadonlySet<string> = new Set([
  ...ROLE_TOKENS.keys(),
  ...DEVICE_TOKENS.keys(),
  ...["srv", "svr", "server", "vm", "host", "node", "lx", "lnx", "linux", "win", "windows", "esx", "esxi"],
  ...["prod", "prd", "dev", "test", "tst", "uat", "stg", "stage", "qa", "sit", "dr", "pre", "preprod", "sandbox"],
]);
// The trailing run is tried only from its first dash (the lookbehind), not from each of them.
const EDGE_DASHES = /^-+|(?<!-)-+$/g;

interface Group {
  name: string;
  rows: number[];
  method: Application["method"];
  reason: string;
  confidence: number;
  joinedByName: number;
}

const NO_TAGS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * What discovery reads of an asset (its names, application column and app tags): a caller that
 * collects a large estate keeps this instead of the whole ref.
 */
export function discoveryAsset(asset: AssetRef): AssetRef {
  let tags = NO_TAGS;
  for (const key in asset.tags) {
    if (APP_TAG_KEYS.has(key.toLowerCase())) tags = { ...tags, [key]: asset.tags[key] ?? "" };
  }
  return {
    row: asset.row,
    assetName: asset.assetName,
    hostname: asset.hostname,
    fqdn: "",
    ipAddresses: [],
    applicationName: asset.applicationName,
    tags,
  };
}

/** What discovery reads of an edge (its ends and service kind), as `discoveryAsset` does. */
export function discoveryEdge(edge: DependencyEdge): DependencyEdge {
  return { ...edge, sourceLabel: "", targetLabel: "", protocol: "" };
}

/**
 * Groups assets into applications, strongest evidence first: the application column, an app
 * tag, a shared name prefix (`bill-web-01`, `bill-db-02` → "bill", at least two members; a
 * prefix shared by an already found application's members adds to it), then connected
 * components of the server-to-server dependency graph; what is left stands alone.
 */
export function discoverApplications(
  assets: readonly AssetRef[],
  edges: readonly DependencyEdge[],
): { applications: Application[]; applicationEdges: ApplicationEdge[] } {
  const sorted = [...assets].sort((a, b) => a.row - b.row);
  const groups: Group[] = [];
  const byName = new Map<string, Group>();
  const appOf = new Map<number, Group>();
  const join = (group: Group, row: number) => {
    group.rows.push(row);
    appOf.set(row, group);
  };
  const named = (name: string, method: Application["method"]): Group => {
    const normal = normalizeName(name);
    let group = byName.get(normal);
    if (!group) {
      group = { name, rows: [], method, reason: "", confidence: APPLICATION_CONFIDENCE[method], joinedByName: 0 };
      byName.set(normal, group);
      groups.push(group);
    }
    return group;
  };

  for (const asset of sorted) {
    const name = asset.applicationName.trim();
    if (name) join(named(name, "application_column"), asset.row);
  }
  for (const asset of sorted) {
    if (appOf.has(asset.row)) continue;
    let tag = "";
    for (const key in asset.tags) {
      if (APP_TAG_KEYS.has(key.toLowerCase())) tag ||= asset.tags[key]?.trim() ?? "";
    }
    if (tag) join(named(tag, "tags"), asset.row);
  }
  for (const group of groups) {
    group.reason =
      group.method === "application_column"
        ? `${group.rows.length} asset(s) name "${group.name}" in the application column`
        : `${group.rows.length} asset(s) carry the application tag "${group.name}"`;
  }

  groupByNamePrefix(sorted, appOf, groups, join);

  groupByDependencies(sorted, edges, appOf, groups, join);

  const taken = new Set<string>();
  const applications = groups.map((group): Application => {
    const key = uniqueSlug(group.name, taken);
    return {
      key,
      name: group.name,
      assetRows: group.rows.sort((a, b) => a - b),
      method: group.method,
      confidence: group.confidence,
      reason: group.reason,
    };
  });
  const keyOf = new Map(groups.map((group, index) => [group, applications[index]?.key ?? ""]));
  return { applications, applicationEdges: applicationEdges(edges, appOf, keyOf) };
}

/** Shared first name tokens: they extend a found application or make a new one of ≥ 2 members. */
function groupByNamePrefix(
  assets: readonly AssetRef[],
  appOf: Map<number, Group>,
  groups: Group[],
  join: (group: Group, row: number) => void,
): void {
  const prefixOf = new Map(assets.map((asset) => [asset.row, namePrefix(asset)]));
  // A generic first token ("mail", "web") may still be a found application's own prefix.
  const known = new Map<string, Group>();
  for (const group of groups) {
    if (group.rows.length < 2) continue;
    const counts = new Map<string, number>();
    for (const row of group.rows) {
      const prefix = prefixOf.get(row);
      if (prefix) counts.set(prefix, (counts.get(prefix) ?? 0) + 1);
    }
    for (const [prefix, count] of counts) {
      if (count / group.rows.length >= PREFIX_SHARE && !known.has(prefix)) known.set(prefix, group);
    }
  }
  const candidates = new Map<string, number[]>();
  for (const asset of assets) {
    const prefix = prefixOf.get(asset.row);
    if (appOf.has(asset.row) || !prefix) continue;
    const existing = known.get(prefix);
    if (existing) {
      join(existing, asset.row);
      existing.joinedByName++;
    } else if (!GENERIC_PREFIXES.has(prefix)) {
      const rows = candidates.get(prefix);
      if (rows) rows.push(asset.row);
      else candidates.set(prefix, [asset.row]);
    }
  }
  for (const group of groups) {
    if (group.joinedByName > 0) group.reason += `; ${group.joinedByName} more by their shared name prefix`;
  }
  for (const [prefix, rows] of candidates) {
    if (rows.length < 2) continue;
    const group: Group = {
      name: prefix,
      rows: [],
      method: "naming_convention",
      confidence: APPLICATION_CONFIDENCE.naming_convention,
      reason: `${rows.length} assets share the name prefix "${prefix}"`,
      joinedByName: 0,
    };
    groups.push(group);
    for (const row of rows) join(group, row);
  }
}

/** "bill-web-01" → "bill"; "" when the name has a single part. */
function namePrefix(asset: AssetRef): string {
  const name = hostnameKey(asset.assetName || asset.hostname);
  const parts = name.split(NAME_PARTS);
  const first = parts[0] ?? "";
  return parts.length >= 2 && PREFIX.test(first) ? first : "";
}

/** Connected components of the remaining servers' edges; single servers become their own application. */
function groupByDependencies(
  assets: readonly AssetRef[],
  edges: readonly DependencyEdge[],
  appOf: Map<number, Group>,
  groups: Group[],
  join: (group: Group, row: number) => void,
): void {
  const remaining = new Map(assets.filter((a) => !appOf.has(a.row)).map((a) => [a.row, a]));
  const parent = new Map<number, number>([...remaining.keys()].map((row) => [row, row]));
  const find = (row: number): number => {
    let root = row;
    while (parent.get(root) !== root) root = parent.get(root) as number;
    parent.set(row, root);
    return root;
  };
  for (const edge of edges) {
    if (!remaining.has(edge.sourceRow) || !remaining.has(edge.targetRow)) continue;
    const a = find(edge.sourceRow);
    const b = find(edge.targetRow);
    if (a !== b) parent.set(Math.max(a, b), Math.min(a, b));
  }
  const components = new Map<number, number[]>();
  for (const row of remaining.keys()) {
    const root = find(row);
    const list = components.get(root);
    if (list) list.push(row);
    else components.set(root, [row]);
  }
  for (const [root, rows] of components) {
    const first = remaining.get(root) as AssetRef;
    const label = first.assetName || first.hostname || first.fqdn || `asset row ${root}`;
    const single = rows.length === 1;
    const group: Group = {
      name: single ? label : `${label} group`,
      rows: [],
      method: "dependency_graph",
      confidence: single ? APPLICATION_CONFIDENCE.singleton : APPLICATION_CONFIDENCE.dependency_graph,
      reason: single
        ? "no application column, tag, naming convention or dependency links this asset to others: it stands alone"
        : `${rows.length} servers connected by dependencies, with no application column, tag or shared name prefix`,
      joinedByName: 0,
    };
    groups.push(group);
    for (const row of rows) join(group, row);
  }
}

function applicationEdges(
  edges: readonly DependencyEdge[],
  appOf: ReadonlyMap<number, Group>,
  keyOf: ReadonlyMap<Group, string>,
): ApplicationEdge[] {
  const out = new Map<string, { edge: ApplicationEdge; kinds: Set<string> }>();
  for (const edge of edges) {
    const source = appOf.get(edge.sourceRow);
    const target = appOf.get(edge.targetRow);
    if (!source || !target || source === target) continue;
    const sourceKey = keyOf.get(source) ?? "";
    const targetKey = keyOf.get(target) ?? "";
    const id = `${sourceKey}\u0000${targetKey}`;
    let entry = out.get(id);
    if (!entry) {
      entry = { edge: { sourceKey, targetKey, edgeCount: 0, serviceKinds: [] }, kinds: new Set() };
      out.set(id, entry);
    }
    entry.edge.edgeCount++;
    entry.kinds.add(edge.serviceKind);
  }
  return [...out.values()]
    .map(({ edge, kinds }) => ({ ...edge, serviceKinds: [...kinds].sort() }))
    .sort((a, b) => a.sourceKey.localeCompare(b.sourceKey) || a.targetKey.localeCompare(b.targetKey));
}

function normalizeName(name: string): string {
  return name.toLowerCase().replace(NOT_WORD, " ").trim();
}

/** "Billing / Invoicing" → "billing-invoicing"; "-2", "-3"… when already taken. */
export function uniqueSlug(name: string, taken: Set<string>): string {
  const base = name.toLowerCase().replace(NOT_WORD, "-").replace(EDGE_DASHES, "").slice(0, 60) || "application";
  let slug = base;
  for (let n = 2; taken.has(slug); n++) slug = `${base}-${n}`;
  taken.add(slug);
  return slug;
}
