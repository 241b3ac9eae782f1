import { BUSINESS_WORDS } from "./header-words-business.ts";
import { CLASSIFICATION_WORDS } from "./header-words-classification.ts";
import { COMPUTE_WORDS } from "./header-words-compute.ts";
import { CUSTOM_WORDS } from "./header-words-custom.ts";
import { IDENTITY_WORDS } from "./header-words-identity.ts";
import { SOFTWARE_WORDS } from "./header-words-software.ts";

/**
 * The multilingual header lexicon, as data: for each concept, the words and phrases that say it
 * in English, German, French, Spanish, Portuguese, Italian and Dutch (with common abbreviations).
 * Words are written lowercase; the reader strips accents, so "mémoire" and "memoire" are one
 * entry. A phrase (words separated by spaces) is matched on consecutive header words before the
 * single words. The mapper reads headers through this table; adding a language is adding words.
 */
export type Language = "en" | "de" | "fr" | "es" | "pt" | "it" | "nl";
export type ConceptWords = Partial<Record<Language, readonly string[]>>;

export const HEADER_WORDS: Readonly<Record<string, ConceptWords>> = {
  ...IDENTITY_WORDS,
  ...CLASSIFICATION_WORDS,
  ...COMPUTE_WORDS,
  ...SOFTWARE_WORDS,
  ...BUSINESS_WORDS,
  ...CUSTOM_WORDS,
};
