import { AGGREGATION_WORDS, BRACKETED_UNIT_WORDS, NAMESPACE_WORDS, STOP_WORDS, UNIT_WORDS } from "@migrate/domain";
import { foldText, LEXICON, type LexiconIndex } from "./lexicon-index.ts";

/** What a header says, read through the lexicon: its concepts, unit, aggregation and negation. */
export interface HeaderReading {
  header: string;
  /** Concept → the header word(s) that said it (for the reason shown to people). */
  concepts: Map<string, string>;
  /** b, kb, mb, gb, tb (sizes), percent, mbps, mhz, iops, money, time. */
  unit?: string;
  unitKind?: "size" | "percent" | "rate" | "speed" | "money" | "time";
  aggregation?: "avg" | "max" | "min" | "sum" | "current";
  /** The word that negates the quantity (free, available, remaining, idle...). */
  negation?: string;
  /** The noun that names the asset (server, device, node, VM...). */
  assetNoun?: string;
  /** Words the lexicon does not know. */
  unknown: string[];
  /** Concepts read from a word one typo away from a lexicon word: less sure. */
  guessed: Set<string>;
  /** The header with its digits blanked: columns of one numbered series share it ("disk # size"). */
  series: string;
}

// A header longer than this says nothing more worth reading; it bounds the work per header.
const MAX_HEADER = 256;
const MAX_COMPOUND = 40;
const SIZE_UNITS = new Set(["b", "kb", "mb", "gb", "tb"]);

interface Token {
  word: string;
  bracketed: boolean;
}

/** Reads one header. Linear in its length (bounded), so 10,000 columns cost little. */
export function readHeader(header: string, lexicon: LexiconIndex = LEXICON): HeaderReading {
  const text = withoutNamespace(header.slice(0, MAX_HEADER));
  const reading: HeaderReading = { header, concepts: new Map(), unknown: [], guessed: new Set(), series: "" };
  const tokens = tokenize(text, lexicon);
  reading.series = tokens.map((t) => (/^\d+$/.test(t.word) ? "#" : t.word)).join(" ");
  const folded = foldText(text);
  const rate = /(per|\/)\s*(second|sec|s)\b|\bps\b|[a-z]_s\b|persec/.test(folded);
  let i = 0;
  while (i < tokens.length) {
    const taken = matchPhrase(tokens, i, lexicon, reading);
    if (taken > 0) {
      i += taken;
      continue;
    }
    readWord(tokens[i] as Token, lexicon, reading, 0);
    i++;
  }
  if (reading.unit && SIZE_UNITS.has(reading.unit)) reading.unitKind = rate ? "rate" : "size";
  else if (reading.unit === "percent") reading.unitKind = "percent";
  else if (reading.unit === "mbps" || reading.unit === "iops") reading.unitKind = "rate";
  else if (reading.unit === "mhz") reading.unitKind = "speed";
  else if (reading.unit === "money" || reading.unit === "time") reading.unitKind = reading.unit;
  const concepts = reading.concepts;
  if (concepts.has("free")) reading.negation = concepts.get("free");
  if (concepts.has("asset")) reading.assetNoun = concepts.get("asset");
  // A share of CPU or memory, or of what is used, is a utilisation ("PercentMemoryUsed", "cpu.pct").
  if (reading.unitKind === "percent" && !reading.negation && !concepts.has("utilization")) {
    for (const subject of ["used", "cpu", "memory"]) {
      if (concepts.has(subject)) {
        concepts.set("utilization", `${concepts.get(subject)} %`);
        break;
      }
    }
  }
  return reading;
}

/** "labels.app" → "app", "tags.costCenter" → "costCenter": a path's container says nothing of its value. */
function withoutNamespace(text: string): string {
  const match = /^([A-Za-z_]+)[.|]\S/.exec(text);
  return match?.[1] && NAMESPACE_WORDS.has(match[1].toLowerCase()) && !/\s/.test(text)
    ? text.slice(match[1].length + 1)
    : text;
}

function tokenize(text: string, lexicon: LexiconIndex): Token[] {
  const prepared = text
    // PromQL: label filters say which series, not what the column is; *_over_time is an aggregation.
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\b(avg|max|min|sum)_over_time\b/gi, "$1 ")
    // Mixed-case units and abbreviations that a camelCase split would cut in two.
    .replace(/([KMGT])iB\b/g, "$1IB")
    // The lookbehinds start each capital run only at its first letter: linear on long headers.
    .replace(/(?<![A-Z])([A-Z]{2,})s\b/g, "$1S")
    .replace(/SMBios/g, "Smbios")
    .replace(/MoRef/g, "Moref")
    .replace(/([MG])Hz\b/g, "$1HZ")
    .replace(/IPv([46])/g, "Ipv$1")
    .replace(/\bv(CPU|Core)(s?)/g, (m) => m.toLowerCase())
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    // "IPAddress" → "IP Address", but "ESXi" stays whole.
    .replace(/(?<![A-Z])([A-Z]+)([A-Z][a-z]{2,})/g, "$1 $2");
  const tokens: Token[] = [];
  let depth = 0;
  for (const piece of foldText(prepared).split(/([()[\]])/)) {
    if (piece === "(" || piece === "[") depth++;
    else if (piece === ")" || piece === "]") depth = Math.max(0, depth - 1);
    else {
      for (const raw of piece.split(/[^a-z0-9%#$€ø]+|(?=[%#$€ø])|(?<=[%#$€ø])/)) {
        if (!raw) continue;
        for (const word of splitDigits(raw, lexicon)) tokens.push({ word, bracketed: depth > 0 });
      }
    }
  }
  return tokens;
}

/** "disk1" → ["disk", "1"], unless the lexicon knows the whole ("ipv4", "p95", "avg15"). */
function splitDigits(word: string, lexicon: LexiconIndex): string[] {
  if (!/\d/.test(word) || !/[a-z]/.test(word) || known(word, lexicon)) return [word];
  return word.split(/(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])/).filter((part) => !/^\d+$/.test(part) || part.length < 5);
}

function known(word: string, lexicon: LexiconIndex): boolean {
  return lexicon.words.has(word) || word in UNIT_WORDS || word in AGGREGATION_WORDS;
}

function matchPhrase(tokens: readonly Token[], start: number, lexicon: LexiconIndex, reading: HeaderReading): number {
  for (let n = Math.min(lexicon.longestPhrase, tokens.length - start); n >= 2; n--) {
    const words = tokens.slice(start, start + n).map((t) => t.word);
    const concepts = lexicon.phrases.get(words.join(" "));
    if (concepts) {
      for (const concept of concepts) note(reading, concept, words.join(" "));
      return n;
    }
  }
  return 0;
}

function note(reading: HeaderReading, concept: string, word: string): void {
  if (!reading.concepts.has(concept)) reading.concepts.set(concept, word);
}

function readWord(token: Token, lexicon: LexiconIndex, reading: HeaderReading, depth: number): void {
  const { word } = token;
  if (/^\d+$/.test(word)) return;
  const unit = UNIT_WORDS[word] ?? (token.bracketed ? BRACKETED_UNIT_WORDS[word] : undefined);
  if (unit && !reading.unit) reading.unit = unit;
  const aggregation = AGGREGATION_WORDS[word];
  if (aggregation && !reading.aggregation) reading.aggregation = aggregation;
  const concepts = lexicon.words.get(word) ?? singular(word, lexicon);
  if (concepts) {
    for (const concept of concepts) note(reading, concept, word);
    return;
  }
  if (unit || aggregation || STOP_WORDS.has(word)) return;
  if (depth === 0) {
    const parts = splitCompound(word, lexicon);
    if (parts) {
      // Parts may form a phrase again ("number" + "of" + "cores").
      const inner = parts.map((part) => ({ word: part, bracketed: token.bracketed }));
      let i = 0;
      while (i < inner.length) {
        const taken = matchPhrase(inner, i, lexicon, reading);
        if (taken > 0) i += taken;
        else readWord(inner[i++] as Token, lexicon, reading, depth + 1);
      }
      return;
    }
  }
  const near = depth === 0 ? nearWord(word, lexicon) : undefined;
  if (near) {
    for (const concept of lexicon.words.get(near) ?? []) {
      if (!reading.concepts.has(concept)) reading.guessed.add(concept);
      note(reading, concept, `${word} (${near}?)`);
    }
    return;
  }
  reading.unknown.push(word);
}

/** The lexicon word one edit away from `word` (a typo: "computr", "memroy"), if exactly that. */
function nearWord(word: string, lexicon: LexiconIndex): string | undefined {
  if (word.length < 5 || word.length > MAX_COMPOUND || !/^[a-z]+$/.test(word)) return undefined;
  const direct = lexicon.nearly.get(word);
  if (direct) return direct;
  for (let i = 0; i < word.length; i++) {
    const found = lexicon.nearly.get(word.slice(0, i) + word.slice(i + 1));
    if (found && Math.abs(found.length - word.length) <= 1) return found;
  }
  return undefined;
}

/** "cores" → core, "addresses" → address: plurals the lexicon lists only in the singular. */
function singular(word: string, lexicon: LexiconIndex): readonly string[] | undefined {
  if (word.length < 4) return undefined;
  if (word.endsWith("es")) {
    const found = lexicon.words.get(word.slice(0, -2));
    if (found) return found;
  }
  if (word.endsWith("s") || word.endsWith("n") || word.endsWith("e")) {
    const found = lexicon.words.get(word.slice(0, -1));
    if (found) return found;
  }
  // German adjective endings: "genutzter", "belegte", "virtuellen" → genutzt, belegt, virtuell.
  if (word.length >= 6 && /(er|en|es|em)$/.test(word)) return lexicon.words.get(word.slice(0, -2));
  return undefined;
}

/**
 * Splits a compound or glued token into lexicon words, fewest parts first: "festplattengrosse" →
 * festplatten + grosse, "betriebssystem" → betrieb(s) + system, "freespacegb" → free + space + gb.
 * A German linking "s" may sit between parts. Returns undefined when no full split exists.
 */
export function splitCompound(word: string, lexicon: LexiconIndex = LEXICON): string[] | undefined {
  if (word.length < 5 || word.length > MAX_COMPOUND) return undefined;
  const n = word.length;
  // best[i]: fewest parts covering word[0..i); prev[i]: where the last part starts.
  const best = new Array<number>(n + 1).fill(Number.POSITIVE_INFINITY);
  const prev = new Array<number>(n + 1).fill(-1);
  const link = new Array<boolean>(n + 1).fill(false);
  best[0] = 0;
  for (let end = 2; end <= n; end++) {
    for (let start = Math.max(0, end - 24); start <= end - 2; start++) {
      const from = best[start] as number;
      if (!Number.isFinite(from)) continue;
      const part = word.slice(start, end);
      if (lexicon.parts.has(part) && from + 1 < (best[end] as number)) {
        best[end] = from + 1;
        prev[end] = start;
        link[end] = false;
      }
    }
    // A linking "s" after a part ("betriebs" + "system") costs half a part.
    if (
      word[end - 1] === "s" &&
      Number.isFinite(best[end - 1]) &&
      end - 1 > 0 &&
      (best[end - 1] as number) + 0.5 < (best[end] as number)
    ) {
      best[end] = (best[end - 1] as number) + 0.5;
      prev[end] = end - 1;
      link[end] = true;
    }
  }
  if (!Number.isFinite(best[n]) || (best[n] as number) < 2) return undefined;
  const parts: string[] = [];
  for (let end = n; end > 0; end = prev[end] as number) {
    if (!link[end]) parts.unshift(word.slice(prev[end] as number, end));
  }
  return parts;
}
