import { AGGREGATION_WORDS, BRACKETED_UNIT_WORDS, HEADER_WORDS, STOP_WORDS, UNIT_WORDS } from "@migrate/domain";

/**
 * The header lexicon of `@migrate/domain`, indexed once for reading: single words and phrases
 * to concepts, and the words a glued or compound token may be split into.
 */
export interface LexiconIndex {
  words: ReadonlyMap<string, readonly string[]>;
  /** Phrases by their space-joined words. */
  phrases: ReadonlyMap<string, readonly string[]>;
  longestPhrase: number;
  /** Words a compound may be made of ("arbeitsspeicher", "festplatten" + "grosse", "memory" + "mb"). */
  parts: ReadonlySet<string>;
  /** Words of 6+ letters by each of their one-letter deletions, to read a typo ("computr"). */
  nearly: ReadonlyMap<string, string>;
}

/** Lowercase, accents stripped, ß as ss, œ as oe; keeps the symbols headers use (#, %, ø, $, €). */
export function foldText(text: string): string {
  // Most cells and headers are plain ASCII: lowercase is all they need.
  if (/^[\x20-\x7e]*$/.test(text)) return text.toLowerCase();
  return text
    .replace(/ß/g, "ss")
    .replace(/[œŒ]/g, "oe")
    .replace(/[æÆ]/g, "ae")
    .replace(/[øØ⌀∅]/g, " ø ")
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase();
}

/** Folded words of a lexicon entry: "Système d'exploitation" → "systeme d exploitation". */
export function entryKey(entry: string): string {
  return foldText(entry)
    .replace(/[^a-z0-9%#$€ø]+/g, " ")
    .trim();
}

function build(): LexiconIndex {
  const words = new Map<string, string[]>();
  const phrases = new Map<string, string[]>();
  const add = (map: Map<string, string[]>, key: string, concept: string) => {
    const list = map.get(key);
    if (!list) map.set(key, [concept]);
    else if (!list.includes(concept)) list.push(concept);
  };
  let longestPhrase = 1;
  for (const [concept, languages] of Object.entries(HEADER_WORDS)) {
    for (const entries of Object.values(languages)) {
      for (const entry of entries ?? []) {
        const key = entryKey(entry);
        if (!key) continue;
        if (key.includes(" ")) {
          add(phrases, key, concept);
          longestPhrase = Math.max(longestPhrase, key.split(" ").length);
        } else add(words, key, concept);
      }
    }
  }
  const parts = new Set<string>();
  for (const word of [...words.keys(), ...Object.keys(UNIT_WORDS), ...Object.keys(AGGREGATION_WORDS)]) {
    if (/^[a-z0-9]+$/.test(word) && word.length >= 2) parts.add(word);
  }
  // Glued phrases ("numberof", "inuse", "ipaddress") are parts too, and a few fillers glue words.
  for (const phrase of phrases.keys()) parts.add(phrase.replace(/ /g, ""));
  for (const filler of ["in", "of", "per", "total", "und", "de", "van"]) parts.add(filler);
  for (const word of Object.keys(BRACKETED_UNIT_WORDS)) parts.delete(word);
  for (const stop of STOP_WORDS) if (stop.length < 2) parts.delete(stop);
  // Symmetric deletion: a word and a typo one edit apart share a deletion, found by lookup.
  const nearly = new Map<string, string>();
  for (const word of words.keys()) {
    if (word.length < 6 || !/^[a-z]+$/.test(word)) continue;
    for (let i = 0; i < word.length; i++) {
      const variant = word.slice(0, i) + word.slice(i + 1);
      if (!nearly.has(variant)) nearly.set(variant, word);
    }
    if (!nearly.has(word)) nearly.set(word, word);
  }
  return { words, phrases, longestPhrase, parts, nearly };
}

export const LEXICON: LexiconIndex = build();
