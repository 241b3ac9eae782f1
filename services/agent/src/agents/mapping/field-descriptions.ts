import { CUSTOM_CONCEPTS, FIELD_CONCEPTS, type FieldConcepts } from "@migrate/domain";

/** A canonical field's concept description, parsed once for scoring. */
export interface FieldDescription extends FieldConcepts {
  sayings: ReadonlyArray<{ concepts: readonly string[]; weight: number }>;
  /** Every concept this field's description mentions or allows. */
  own: ReadonlySet<string>;
}

/** Concepts that qualify rather than name a subject: no field owns them. */
const GENERIC = new Set([
  "asset",
  "host",
  "name",
  "number",
  "count",
  "size",
  "type",
  "state",
  "address",
  "id",
  "used",
  "virtual",
  "physical",
  "logical",
  "business",
  "technical",
  "level",
  "full",
  "free",
]);

export const FIELDS: readonly FieldDescription[] = FIELD_CONCEPTS.map((field) => {
  const sayings = field.says.map((saying) => {
    const [concepts = "", weight = "1"] = saying.split(":");
    return { concepts: concepts.split("+"), weight: Number(weight) };
  });
  const own = new Set([...sayings.flatMap((s) => s.concepts), ...(field.allows ?? [])]);
  return { ...field, sayings, own };
});

export const FIELD_BY_NAME: ReadonlyMap<string, FieldDescription> = new Map(FIELDS.map((f) => [f.field, f]));

/** Concepts that name a subject of some field: a header naming another field's subject speaks against this one. */
export const SUBJECTS: ReadonlySet<string> = new Set(
  FIELDS.flatMap((f) => f.sayings.flatMap((s) => s.concepts)).filter((concept) => !GENERIC.has(concept)),
);

export const CUSTOM: ReadonlySet<string> = new Set(CUSTOM_CONCEPTS);

/** Concepts that say nothing of a subject: a header made only of them takes its subject from any other word in it. */
export const GENERIC_CONCEPTS: ReadonlySet<string> = new Set([...GENERIC, "version", "patch", "state", "type"]);
