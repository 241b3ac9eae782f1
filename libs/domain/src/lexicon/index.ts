export type { FieldConcepts, Quantity } from "./field-concepts.ts";
export { CUSTOM_CONCEPTS, FIELD_CONCEPTS } from "./field-concepts.ts";
export {
  AGGREGATION_WORDS,
  BRACKETED_UNIT_WORDS,
  NAMESPACE_WORDS,
  RATE_WORDS,
  STOP_WORDS,
  UNIT_WORDS,
} from "./header-qualifiers.ts";
export type { ConceptWords, Language } from "./header-words.ts";
export { HEADER_WORDS } from "./header-words.ts";
export { VALUE_WORDS } from "./value-words.ts";
