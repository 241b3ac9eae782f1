/**
 * Prints the suite's line coverage of `libs/*\/src` and `services/*\/src`, measured in the test
 * workers and in the service processes the tests spawn, merged:
 * - <run>/vitest-final.json: the workers' half, from @vitest/coverage-v8; it also lists every
 *   included file, loaded or not, so it decides which files count (vitest.config.ts);
 * - <run>/.v8-children/*.json: the raw V8 coverage each spawned process wrote on exit
 *   (NODE_V8_COVERAGE). Node ran those files type-stripped, which keeps every offset of the .ts
 *   source, so they are converted from `stripTypeScriptTypes(source)` with the same AST-aware
 *   converter vitest uses (ast-v8-to-istanbul), merged per file first, then into the workers' map.
 * Writes coverage/coverage-final.json, coverage-summary.json and index.html; prints a table per
 * package, the lowest files, istanbul's text summary and the line
 * "coverage: lines N % (libs N %, services N %)".
 * <run> is --run-dir, else MESH_COVERAGE_DIR, else coverage/ (scripts/test.sh gives each run its own).
 * Usage: node --disable-warning=ExperimentalWarning scripts/coverage-report.ts [--run-dir=D] [--min-lines=N] [--keep-raw]
 * Exits 1 only when --min-lines is given and the lines figure is below it, or nothing was measured.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire, stripTypeScriptTypes } from "node:module";
import { relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createCoverageMap, type FileCoverageData, type Range } from "@vitest/istanbul-lib-coverage";
import { createContext, create as createReport } from "@vitest/istanbul-lib-report";
import convert from "ast-v8-to-istanbul";
import { parseAstAsync } from "vitest/node";

interface V8Range {
  startOffset: number;
  endOffset: number;
  count: number;
}
interface V8Function {
  functionName: string;
  isBlockCoverage: boolean;
  ranges: V8Range[];
}
interface V8Script {
  scriptId: string;
  url: string;
  functions: V8Function[];
}

// @bcoe/v8-coverage (what @vitest/coverage-v8 and c8 merge with) ships no type declarations.
const { mergeScriptCovs } = createRequire(import.meta.url)("@bcoe/v8-coverage") as {
  mergeScriptCovs(scripts: V8Script[]): V8Script;
};

const root = resolve(fileURLToPath(new URL("..", import.meta.url)));
const dir = resolve(root, "coverage");
const args = process.argv.slice(2);
const option = (name: string) => args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const minLines = option("min-lines") === undefined ? undefined : Number(option("min-lines"));
// What one run measured (MESH_COVERAGE_DIR of vitest.config.ts): its own folder, so that two
// runs in one work tree do not collide; the report itself goes to coverage/.
const runDir = resolve(root, option("run-dir") ?? process.env.MESH_COVERAGE_DIR ?? "coverage");
const rawDir = resolve(runDir, ".v8-children");
const started = performance.now();

const vitestFinal = resolve(runDir, "vitest-final.json");
if (!existsSync(vitestFinal)) {
  console.log(`coverage: not measured (no ${relative(root, vitestFinal)})`);
  process.exit(minLines === undefined ? 0 : 1);
}
const workers = JSON.parse(readFileSync(vitestFinal, "utf8")) as Record<string, FileCoverageData>;
const counted = new Set(Object.keys(workers));

// One merged V8 script per counted file, over every spawned process.
const childScripts = new Map<string, V8Script>();
const rawFiles = existsSync(rawDir) ? readdirSync(rawDir).filter((name) => name.endsWith(".json")) : [];
for (const name of rawFiles) {
  let result: V8Script[];
  try {
    result = (JSON.parse(readFileSync(resolve(rawDir, name), "utf8")) as { result: V8Script[] }).result;
  } catch {
    continue; // a process killed while writing leaves a truncated file
  }
  for (const script of result) {
    if (!script.url.startsWith("file://") || script.url.includes("?")) continue;
    const path = fileURLToPath(script.url);
    if (!counted.has(path)) continue;
    const previous = childScripts.get(path);
    childScripts.set(path, previous ? mergeScriptCovs([previous, script]) : script);
  }
}

/**
 * Adds the hits of `extra` to `base`, matching statements, functions and branches by where they
 * start. Vitest's map comes from the Vite-transformed file mapped back to the source, this one
 * from the type-stripped source: the same nodes start at the same place, but their ends can
 * differ, so istanbul's own merge (keyed by whole ranges) would count many of them twice.
 */
function addHits(base: FileCoverageData, extra: FileCoverageData): void {
  const at = ({ start }: Range) => `${start.line}:${start.column}`;
  const statements = new Map(Object.entries(base.statementMap).map(([id, range]) => [at(range), id]));
  let next = Object.keys(base.statementMap).length;
  for (const [id, range] of Object.entries(extra.statementMap)) {
    let key = statements.get(at(range));
    if (key === undefined) {
      key = String(next++);
      base.statementMap[key] = range;
      base.s[key] = 0;
      statements.set(at(range), key);
    }
    base.s[key] = (base.s[key] ?? 0) + (extra.s[id] ?? 0);
  }
  const functions = new Map(Object.entries(base.fnMap).map(([id, fn]) => [at(fn.loc), id]));
  next = Object.keys(base.fnMap).length;
  for (const [id, fn] of Object.entries(extra.fnMap)) {
    let key = functions.get(at(fn.loc));
    if (key === undefined) {
      key = String(next++);
      base.fnMap[key] = fn;
      base.f[key] = 0;
      functions.set(at(fn.loc), key);
    }
    base.f[key] = (base.f[key] ?? 0) + (extra.f[id] ?? 0);
  }
  const branchKey = (branch: FileCoverageData["branchMap"][string]) =>
    `${branch.type}@${branch.locations.map(at).join(",")}`;
  const branches = new Map(Object.entries(base.branchMap).map(([id, branch]) => [branchKey(branch), id]));
  next = Object.keys(base.branchMap).length;
  for (const [id, branch] of Object.entries(extra.branchMap)) {
    let key = branches.get(branchKey(branch));
    if (key === undefined) {
      key = String(next++);
      base.branchMap[key] = branch;
      base.b[key] = branch.locations.map(() => 0);
      branches.set(branchKey(branch), key);
    }
    const hits = base.b[key] as number[];
    (extra.b[id] ?? []).forEach((count, index) => {
      hits[index] = (hits[index] ?? 0) + count;
    });
  }
  delete base.all;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

const changedDuringRun: string[] = [];
for (const [path, script] of childScripts) {
  const stripped = stripTypeScriptTypes(readFileSync(path, "utf8"), { mode: "strip" });
  // The module's own function spans the whole script, which Node's type stripping ends with a
  // sourceURL comment: another length means the file was edited after a process loaded it, and
  // its offsets no longer fit.
  const moduleLength = Math.max(0, ...script.functions.flatMap((fn) => fn.ranges.map((range) => range.endOffset)));
  const withSourceUrl = `${stripped}\n\n//# sourceURL=${script.url}`;
  const code = moduleLength === stripped.length ? stripped : withSourceUrl;
  if (moduleLength !== code.length) {
    changedDuringRun.push(relative(root, path));
    continue;
  }
  const converted = await convert({
    code,
    ast: parseAstAsync(code),
    coverage: { url: script.url, functions: script.functions },
  });
  const data = converted[path];
  if (data) addHits(workers[path] as FileCoverageData, data as FileCoverageData);
}
const coverageMap = createCoverageMap(workers);

// The previous report, and the folders of runs whose process is gone, make way for this one.
for (const entry of runDir === dir ? [] : readdirSync(dir)) {
  const pid = /^\.run-(\d+)$/.exec(entry)?.[1];
  if (resolve(dir, entry) !== runDir && (pid === undefined || !alive(Number(pid)))) {
    rmSync(resolve(dir, entry), { recursive: true, force: true });
  }
}
const context = createContext({ dir, coverageMap });
createReport("json", { file: "coverage-final.json" }).execute(context);
createReport("json-summary", { file: "coverage-summary.json" }).execute(context);
createReport("html", { subdir: "." }).execute(context);
if (!args.includes("--keep-raw") && runDir !== dir) rmSync(runDir, { recursive: true, force: true });
else if (!args.includes("--keep-raw")) rmSync(rawDir, { recursive: true, force: true });

interface Lines {
  covered: number;
  total: number;
}
const add = (into: Lines, from: Lines) => {
  into.covered += from.covered;
  into.total += from.total;
};
const percent = (lines: Lines) => (lines.total === 0 ? 100 : (100 * lines.covered) / lines.total);
const show = (lines: Lines) => `${percent(lines).toFixed(1)} %`;

const byPackage = new Map<string, Lines>();
const byKind = { libs: { covered: 0, total: 0 }, services: { covered: 0, total: 0 } };
const all: Lines = { covered: 0, total: 0 };
const perFile: Array<{ file: string; lines: Lines }> = [];
for (const path of coverageMap.files()) {
  const file = relative(root, path);
  const summary = coverageMap.fileCoverageFor(path).toSummary().lines;
  const lines = { covered: summary.covered, total: summary.total };
  const [kind, name] = file.split("/") as ["libs" | "services", string];
  const pkg = `${kind}/${name}`;
  if (!byPackage.has(pkg)) byPackage.set(pkg, { covered: 0, total: 0 });
  add(byPackage.get(pkg) as Lines, lines);
  if (kind === "libs" || kind === "services") add(byKind[kind], lines);
  add(all, lines);
  perFile.push({ file, lines });
}

console.log(
  `[coverage] lines of libs/*/src and services/*/src, test workers + ${rawFiles.length} service processes ` +
    `(report: coverage/index.html, ${((performance.now() - started) / 1000).toFixed(1)} s)`,
);
console.log(`  ${"package".padEnd(22)}${"lines".padStart(9)}${"covered / total".padStart(18)}`);
for (const [pkg, lines] of [...byPackage].sort(([a], [b]) => a.localeCompare(b))) {
  console.log(`  ${pkg.padEnd(22)}${show(lines).padStart(9)}${`${lines.covered} / ${lines.total}`.padStart(18)}`);
}
const lowest = perFile
  .filter(({ lines }) => lines.total > 0)
  .sort((a, b) => percent(a.lines) - percent(b.lines) || b.lines.total - a.lines.total)
  .slice(0, 10);
console.log("  lowest files:");
for (const { file, lines } of lowest) {
  console.log(`    ${show(lines).padStart(7)}  ${`${lines.covered}/${lines.total}`.padStart(9)}  ${file}`);
}
if (changedDuringRun.length > 0) {
  console.log(`  edited during the run, service-process data left out: ${changedDuringRun.join(", ")}`);
}
createReport("text-summary").execute(context);
console.log(`coverage: lines ${show(all)} (libs ${show(byKind.libs)}, services ${show(byKind.services)})`);
if (minLines !== undefined && percent(all) < minLines) {
  console.log(`[coverage] FAILED: lines ${show(all)} is below the ${minLines} % threshold`);
  process.exit(1);
}
