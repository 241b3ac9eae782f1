import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { headerWords, isIpAddress, parseCpuCores, parseIpList, parsePercent, parseSizeGb } from "@migrate/domain";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { valueShape } from "../providers/value-shape.ts";
import { discoverApplications } from "./application-discovery.ts";
import { classifyAsset } from "./asset-classification.ts";
import { emptyAsset } from "./canonical-asset.ts";
import { hostnameKey, vmUuidKey } from "./identity-keys.ts";
import { readNumeric } from "./numeric-fields.ts";
import { endOfSupport } from "./os-support.ts";
import { detectPersonalData } from "./personal-data.ts";
import { cleanseRecords } from "./record-cleansing.ts";
import { indexMappings, type MappingIndex } from "./record-mapping.ts";
import { validateRecords } from "./record-validation.ts";
import { parseTags } from "./tag-parsing.ts";
import { nameTokens, normalizeAssetType } from "./vocabularies.ts";

/**
 * Every regular expression that reads user data must run in time linear in its input: a cell may
 * hold 64 KiB (MAX_CELL_BYTES), and one pattern retried from every position of it stalled the
 * agent for every tenant. Growth is compared (4x the input may take at most ~6x the time, plus a
 * floor for timer noise) rather than asserting a time, so a loaded machine does not fail it and a
 * quadratic pattern (16x, seconds at 100,000 characters) does.
 */

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
/** Characters of the shorter input; the longer has four times as many (100,000). */
const SMALL = 25_000;

// The mapping agent is being rewritten with its own audit: field-mapping.ts, format-presets.ts and
// mapping/. providers/ other than value-shape.ts read the LLM's answers and headers, not cells.
const SOURCES = [
  ...readdirSync(`${ROOT}services/agent/src/agents`)
    .filter((name) => name.endsWith(".ts") && !name.endsWith(".test.ts"))
    .filter((name) => !["field-mapping.ts", "format-presets.ts"].includes(name))
    .map((name) => `services/agent/src/agents/${name}`),
  "services/agent/src/providers/value-shape.ts",
  "libs/domain/src/normalize-header.ts",
  "libs/domain/src/normalize-values.ts",
  "libs/domain/src/raw-values.ts",
];

interface Pattern {
  where: string;
  source: string;
  regex: RegExp;
}

/** Every regular expression literal of the sources, with where it is. */
function patterns(): Pattern[] {
  const found: Pattern[] = [];
  for (const file of SOURCES) {
    const text = readFileSync(`${ROOT}${file}`, "utf8");
    const tree = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node) => {
      if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
        const literal = node.getText(tree);
        const slash = literal.lastIndexOf("/");
        const line = tree.getLineAndCharacterOfPosition(node.getStart(tree)).line + 1;
        found.push({
          where: `${file}:${line}`,
          source: literal,
          regex: new RegExp(literal.slice(1, slash), literal.slice(slash + 1)),
        });
      }
      ts.forEachChild(node, visit);
    };
    visit(tree);
  }
  return found;
}

// Runs of one unit between a prefix and a suffix: what makes a backtracking engine retry a long
// run from each of its positions (each known super-linear pattern here had one of these).
const PREFIXES = ["", "1", "1.1", "a@b", "-1", "Ab", "x@y", "windows "];
const UNITS = ["A", "a", "1", " ", "\t", "\n", ".", ":", "-", "_", "@", "Aa", "1.", "a.", "0:", "1 ", "a@", "1,"];
const SUFFIXES = ["", "!", "1", "@", " !", "\u0000"];

function adversarial(prefix: string, unit: string, suffix: string, length: number): string {
  return `${prefix}${unit.repeat(Math.ceil(length / unit.length))}${suffix}`;
}

/** The fastest of a few runs: the least disturbed by other work on the machine. */
function time(run: () => unknown, repeats = 3): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    run();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

function use(regex: RegExp, text: string): void {
  regex.lastIndex = 0;
  if (regex.global) text.replace(regex, "$&");
  else {
    regex.exec(text);
    text.split(regex);
  }
}

/**
 * `run` on the input that was slowest at a small size: at SMALL characters (the best of three),
 * then at 4x SMALL, timed again only when the first try looks too slow (a super-linear pattern
 * takes seconds there: no need to wait for it three times).
 */
function expectLinear(run: (text: string) => unknown, inputs = allInputs(), size = SMALL): void {
  let worst = inputs[0] as (typeof inputs)[number];
  let slowest = -1;
  for (const input of inputs) {
    const took = time(() => run(input(2_000)), 1);
    if (took > slowest) [worst, slowest] = [input, took];
  }
  const small = time(() => run(worst(size)));
  // Linear: ~4x. Quadratic: ~16x, and seconds at these sizes. The floor absorbs timer noise and
  // garbage collection (a split into 50,000 pieces) on a loaded machine.
  const bound = 6 * small + 100;
  const longer = worst(4 * size);
  let large = time(() => run(longer), 1);
  if (large >= bound)
    large = Math.min(
      large,
      time(() => run(longer), 2),
    );
  expect(
    large,
    `${large.toFixed(1)} ms at ${4 * size} characters vs ${small.toFixed(1)} ms at ${size} on ${JSON.stringify(worst(12))}…`,
  ).toBeLessThan(bound);
}

function allInputs(): Array<(length: number) => string> {
  return PREFIXES.flatMap((prefix) =>
    UNITS.flatMap((unit) => SUFFIXES.map((suffix) => (length: number) => adversarial(prefix, unit, suffix, length))),
  );
}

describe("every regular expression that reads user data is linear", () => {
  const all = patterns();

  it("finds the patterns to check", () => {
    expect(all.length).toBeGreaterThan(40);
  });

  it.each(all.map((p) => [`${p.where} ${p.source}`, p] as const))("%s", (_name, pattern) => {
    expectLinear((text) => use(pattern.regex, text));
  });
});

describe("the agents that use them stay linear on long cells", () => {
  const index = indexMappings([
    { source: "Server Name", target: "asset_name" },
    { source: "Host", target: "hostname" },
    { source: "Owner", target: "business_owner" },
    { source: "Memory", target: "memory_gb" },
    { source: "CPU", target: "cpu_cores" },
    { source: "Util", target: "cpu_utilization_avg" },
    { source: "IPs", target: "ip_addresses" },
    { source: "OS", target: "operating_system" },
    { source: "Tags", target: "tags" },
    { source: "MAC", target: "mac_address" },
    { source: "Type", target: "asset_type" },
  ]) as MappingIndex;
  // One long cell in every column at once, as a hostile file would send.
  const record = (text: string) => ({
    row: 1,
    values: Object.fromEntries(
      ["Server Name", "Host", "Owner", "Memory", "CPU", "Util", "IPs", "OS", "Tags", "MAC", "Type", "Notes"].map(
        (column) => [column, text],
      ),
    ),
  });
  // A handful of the runs above: the per-function checks call whole agents, far slower per input.
  const inputs = [
    (n: number) => "A".repeat(n),
    (n: number) => `1${" ".repeat(n)}!`,
    (n: number) => `1.1${"\t".repeat(n)} !`,
    (n: number) => `a@b${".".repeat(n)}@`,
    (n: number) => `a${":".repeat(n)}!`,
    (n: number) => `Ab${"1".repeat(n)}ab`,
    (n: number) => `b${"_".repeat(n)}\u0000`,
    (n: number) => `-1${"-".repeat(n)}1`,
    (n: number) => "Aa".repeat(n / 2),
  ];
  const cases: Array<[string, (text: string) => unknown]> = [
    ["validation (personal data, numbers, identity keys)", (text) => validateRecords(index, [record(text)])],
    ["personal data detection", (text) => detectPersonalData([record(text)], index)],
    ["cleansing (sizes, cores, percent, IPs, tags, OS, MAC, type)", (text) => cleanseRecords(index, [record(text)])],
    [
      "numeric reading",
      (text) => ["memory_gb", "cpu_cores", "cpu_utilization_avg", "disk_iops"].map((t) => readNumeric(t, text)),
    ],
    [
      "domain parsers",
      (text) => [parseSizeGb(text), parseCpuCores(text), parsePercent(text), parseIpList(text), isIpAddress(text)],
    ],
    ["header words", (text) => headerWords(text)],
    ["value shapes", (text) => valueShape(text)],
    [
      "name tokens and asset types",
      (text) => [nameTokens(text), normalizeAssetType(text), hostnameKey(text), vmUuidKey(text)],
    ],
    ["tags", (text) => parseTags(text)],
    ["OS support", (text) => endOfSupport(text, "")],
    [
      "classification",
      (text) =>
        classifyAsset({ ...emptyAsset(1), operatingSystem: text, technologyStack: text, assetName: text }, text),
    ],
    [
      "application discovery names",
      (text) =>
        discoverApplications(
          [1, 2].map((row) => ({
            row,
            assetName: text,
            hostname: text,
            fqdn: "",
            ipAddresses: [],
            applicationName: text,
            tags: { app: text },
          })),
          [],
        ),
    ],
  ];

  it.each(cases)("%s", (_name, run) => {
    // A record with the cell in each of its 12 columns: 10,000 and 40,000 characters per cell.
    expectLinear(run, inputs, 10_000);
  });
});
