/** What a fake LLM server does with the next request. */
export type FakeBehaviour =
  /** A well-formed answer built from the request's task input, with this token usage. */
  | { kind: "answer"; inputTokens: number; outputTokens: number; answer?: (request: FakeTaskRequest) => unknown }
  /** Text that is not JSON, billed like an answer. */
  | { kind: "malformed"; inputTokens: number; outputTokens: number }
  | { kind: "refusal"; inputTokens: number; outputTokens: number }
  | { kind: "status"; status: number; retryAfterSeconds?: number }
  /** Accepts the request and never answers. */
  | { kind: "hang" };

/** The task a request carries, decoded from the prompt the agent service sent. */
export interface FakeTaskRequest {
  /** field_mappings, asset_classifications or strategy_rationales (from the answer schema). */
  task: string;
  model: string;
  // biome-ignore lint/suspicious/noExplicitAny: the prompt's JSON, inspected by tests
  input: any;
}

export interface RecordedRequest {
  at: number;
  path: string;
  task: string;
  model: string;
  userPrompt: string;
  behaviour: FakeBehaviour["kind"];
}

/** Token usage the fake reported in answers it actually sent, per model. */
export type ReportedUsage = Map<string, { calls: number; inputTokens: number; outputTokens: number }>;

const TASK_BY_PROPERTY: Record<string, string> = {
  mappings: "field_mappings",
  classifications: "asset_classifications",
  rationales: "strategy_rationales",
};

export function taskOfSchema(schema: unknown): string {
  const properties = Object.keys((schema as { properties?: object })?.properties ?? {});
  return TASK_BY_PROPERTY[properties[0] ?? ""] ?? "unknown";
}

/**
 * A plausible answer for each task: the heuristic guess confirmed for mappings, "server" for
 * classifications, a fixed sentence for rationales; tests override it per behaviour.
 */
export function defaultAnswer(request: FakeTaskRequest): unknown {
  if (request.task === "field_mappings") {
    return {
      mappings: request.input.columns.map((c: { source: string; heuristic_guess: { target: string | null } }) => ({
        source: c.source,
        target: c.heuristic_guess.target,
        confidence: 0.5,
        reason: "the fake agrees with the rules",
      })),
    };
  }
  if (request.task === "asset_classifications") {
    return {
      classifications: request.input.assets.map((a: { row: number }) => ({
        row: a.row,
        asset_type: "server",
        server_role: "",
        confidence: 0.4,
        reason: "the fake has no better idea",
      })),
    };
  }
  return {
    rationales: request.input.assets.map((a: { row: number; strategy: string }) => ({
      row: a.row,
      rationale: `Fake rationale for ${a.strategy}.`,
    })),
  };
}
