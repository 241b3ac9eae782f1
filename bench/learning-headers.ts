import { ASSET_FIELDS, headerWords } from "@migrate/domain";
import { prng } from "../scripts/generate-sample.ts";

/** A generated header and the canonical field it means. */
export interface GeneratedHeader {
  text: string;
  target: string;
}

const PREFIXES = [
  "",
  "src",
  "legacy",
  "vm",
  "host",
  "guest",
  "primary",
  "secondary",
  "total",
  "avg",
  "max",
  "min",
  "current",
  "allocated",
  "used",
  "configured",
  "cmdb",
  "inv",
  "asset",
  "server",
  "node",
  "sys",
  "u",
  "x",
  "ext",
  "old",
  "new",
  "tmp",
  "imp",
  "raw",
];
const SUFFIXES = [
  "",
  "id",
  "name",
  "value",
  "gb",
  "mb",
  "mib",
  "pct",
  "count",
  "1",
  "2",
  "3",
  "4",
  "5",
  "6",
  "7",
  "8",
  "9",
  "10",
  "11",
  "12",
  "v2",
  "old",
  "new",
  "raw",
  "txt",
  "src",
  "dst",
  "a",
  "b",
  "main",
  "alt",
  "list",
  "info",
  "label",
  "code",
  "field",
  "col",
  "attr",
  "data",
];
type Style = (words: string[]) => string;
const cap = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
const STYLES: Style[] = [
  (w) => w.join("_"),
  (w) => w.join("-"),
  (w) => w.map((x, i) => (i ? cap(x) : x)).join(""),
  (w) => w.map(cap).join(""),
  (w) => w.map(cap).join(" "),
  (w) => w.map(cap).join("."),
  (w) => w.join("_").toUpperCase(),
];

// The words people write for each field: its name's, its description's first ones, its synonyms.
const CORES: Array<{ words: string[]; target: string }> = ASSET_FIELDS.flatMap((field) => [
  { words: field.name.split("_"), target: field.name },
  { words: headerWords(field.description).slice(0, 3), target: field.name },
  ...field.synonyms.map((synonym) => ({ words: [synonym], target: field.name })),
]);

const pick = <T>(items: readonly T[], next: () => number): T => items[Math.floor(next() * items.length)] as T;

/** One header built from a prefix, a field's words and a suffix, in one of seven spellings. */
export function generateHeader(next: () => number): GeneratedHeader & { words: string[] } {
  const core = pick(CORES, next);
  const words = [pick(PREFIXES, next), ...core.words, pick(SUFFIXES, next)].filter(Boolean);
  return { text: pick(STYLES, next)(words), target: core.target, words };
}

/** `count` headers with distinct normalised spellings (each is one learned pattern). */
export function distinctHeaders(count: number, seed: number, normalise: (text: string) => string): GeneratedHeader[] {
  const next = prng(seed);
  const seen = new Set<string>();
  const headers: GeneratedHeader[] = [];
  for (let attempts = 0; headers.length < count && attempts < count * 20; attempts++) {
    const header = generateHeader(next);
    const key = normalise(header.text);
    if (seen.has(key)) continue;
    seen.add(key);
    headers.push({ text: header.text, target: header.target });
  }
  return headers;
}

/** The same words in another spelling (snake, kebab, camel...), as a person's next file might have them. */
export function respell(text: string, next: () => number): string {
  return pick(STYLES, next)(headerWords(text));
}
