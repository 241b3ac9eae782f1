/** A deterministic agent the service runs, as listed to callers. */
export interface AgentDescriptor {
  name: string;
  description: string;
  /** `heuristic`: documented rules, no model; an LLM provider may only refine rationale later. */
  provider: "heuristic";
}

/** The agents of the discovery flow, in the order the flow calls them. */
export const AGENT_CATALOGUE: readonly AgentDescriptor[] = [
  {
    name: "validation",
    description: "Checks imported records for required identity, types, ranges and duplicates, row by row.",
    provider: "heuristic",
  },
  {
    name: "field_mapping",
    description:
      "Maps source columns to the canonical asset schema from synonyms, value shapes and learned patterns, with a confidence per mapping.",
    provider: "heuristic",
  },
  {
    name: "cleansing",
    description:
      "Normalises units (MiB, GB, vCPU), enumerations and casing; keeps unknown columns as custom attributes.",
    provider: "heuristic",
  },
  {
    name: "deduplication",
    description: "Finds records that describe the same asset by external id, host name or VM UUID, keeping the first.",
    provider: "heuristic",
  },
  {
    name: "classification",
    description:
      "Classifies each asset's type and server role from names, operating systems, database and virtualisation facts.",
    provider: "heuristic",
  },
  {
    name: "dependency_analysis",
    description:
      "Derives server-to-server dependencies from connection data, resolving hosts and naming services by port.",
    provider: "heuristic",
  },
  {
    name: "application_discovery",
    description: "Groups assets into applications from application names, tags and dependency clusters.",
    provider: "heuristic",
  },
  {
    name: "strategy",
    description:
      "Recommends one of the 7 Rs per asset and application, with rationale, confidence and the missing data that limits it.",
    provider: "heuristic",
  },
  {
    name: "waves",
    description: "Orders applications into migration waves that keep dependent applications together.",
    provider: "heuristic",
  },
];
