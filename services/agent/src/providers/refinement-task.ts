import { z } from "zod";
import type { LlmAgent } from "./llm-provider.ts";

/** Why an answer that arrived was not used. */
export type RejectedOutcome = "invalid_json" | "schema_mismatch" | "refusal" | "unknown_target";

export type Interpretation<T> = { ok: true; value: T } | { ok: false; outcome: RejectedOutcome; detail: string };

/** One question to a provider: the prompt, the answer's schema, and how to read the answer. */
export interface RefinementTask<T> {
  agent: LlmAgent;
  schemaName: string;
  system: string;
  /** The task's input as JSON text. */
  user: string;
  jsonSchema: Record<string, unknown>;
  /** Validates the parsed JSON answer against the schema and against what was asked. */
  interpret(answer: unknown): Interpretation<T>;
}

/**
 * Builds a task whose answer schema is a zod schema: the provider gets its JSON Schema
 * (strict structured outputs), the answer is validated with the same schema, then `check`
 * rejects a schema-valid answer that names something unknown (a target field, a row).
 */
export function zodTask<S extends z.ZodType, T>(options: {
  agent: LlmAgent;
  schemaName: string;
  system: string;
  input: unknown;
  schema: S;
  check: (answer: z.infer<S>) => Interpretation<T>;
}): RefinementTask<T> {
  const { $schema: _ignored, ...jsonSchema } = z.toJSONSchema(options.schema, { target: "draft-7" }) as Record<
    string,
    unknown
  >;
  return {
    agent: options.agent,
    schemaName: options.schemaName,
    system: options.system,
    user: JSON.stringify(options.input),
    jsonSchema,
    interpret(answer) {
      const parsed = options.schema.safeParse(answer);
      if (!parsed.success) {
        const first = parsed.error.issues[0];
        return { ok: false, outcome: "schema_mismatch", detail: `${first?.path.join(".")}: ${first?.message}` };
      }
      return options.check(parsed.data);
    },
  };
}

/** Parses the answer text; tolerates a Markdown code fence around otherwise valid JSON. */
export function parseAnswer(text: string): { ok: true; value: unknown } | { ok: false } {
  const unfenced = text
    .trim()
    .replace(/^```(?:json)?\s*/i, "")
    .replace(/\s*```$/, "");
  try {
    return { ok: true, value: JSON.parse(unfenced) };
  } catch {
    return { ok: false };
  }
}
