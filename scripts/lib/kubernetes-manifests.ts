/**
 * Checks rendered Kubernetes manifests against the API's own schemas, two ways:
 *  - `kubernetes-models` (JSON schemas of the Kubernetes OpenAPI, compiled with ajv): types,
 *    formats, required fields, enums; `@kubernetes-models/prometheus-operator` for the
 *    ServiceMonitor and PrometheusRule CRDs;
 *  - TypeScript's excess-property check over the same models' declarations, which the JSON
 *    schemas lack (the API server drops an unknown field silently, so a misspelt `readinesProbe`
 *    would pass the first check and never probe): each manifest becomes a typed object literal.
 */
import { join } from "node:path";
import ts from "typescript";

export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

const root = new URL("../../", import.meta.url).pathname;

/** The module that declares a kind: core `v1` kinds live at `kubernetes-models/v1/<Kind>`. */
function modelModule(manifest: Manifest): string {
  if (manifest.apiVersion.startsWith("monitoring.coreos.com/")) {
    return `@kubernetes-models/prometheus-operator/${manifest.apiVersion}/${manifest.kind}`;
  }
  return `kubernetes-models/${manifest.apiVersion}/${manifest.kind}`;
}

const label = (manifest: Manifest) => `${manifest.kind}/${manifest.metadata?.name}`;

/** Schema validation with kubernetes-models; one line per problem, empty when all are valid. */
export async function validateWithSchemas(manifests: Manifest[]): Promise<string[]> {
  const problems: string[] = [];
  for (const manifest of manifests) {
    type ModelClass = new (data: unknown) => { validate(): void };
    let Model: ModelClass | undefined;
    try {
      Model = ((await import(modelModule(manifest))) as Record<string, ModelClass | undefined>)[manifest.kind];
    } catch {
      Model = undefined;
    }
    if (!Model) {
      problems.push(`${label(manifest)}: no schema for ${manifest.apiVersion} ${manifest.kind}`);
      continue;
    }
    try {
      new Model(manifest).validate();
    } catch (error) {
      problems.push(`${label(manifest)}: ${(error as Error).message}`);
    }
  }
  return problems;
}

/** Unknown or mistyped fields, found by type-checking each manifest as a literal of its model's interface. */
export function typeCheckManifests(manifests: Manifest[]): string[] {
  const lines: string[] = [];
  const owners: number[] = [];
  manifests.forEach((manifest, index) => {
    lines.push(`import type { I${manifest.kind} as T${index} } from ${JSON.stringify(modelModule(manifest))};`);
    owners.push(-1);
  });
  manifests.forEach((manifest, index) => {
    for (const line of `export const m${index}: T${index} = ${JSON.stringify(manifest, null, 1)};`.split("\n")) {
      lines.push(line);
      owners.push(index);
    }
  });
  const fileName = join(root, "scripts", "lib", "__rendered_manifests__.ts");
  const text = lines.join("\n");
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (name) => (name === fileName ? text : readFile(name));
  host.fileExists = (name) => name === fileName || fileExists(name);
  host.getSourceFile = (name, version, ...rest) =>
    name === fileName ? ts.createSourceFile(name, text, version) : getSourceFile(name, version, ...rest);
  const program = ts.createProgram([fileName], options, host);
  const source = program.getSourceFile(fileName);
  if (!source) throw new Error("manifest source missing");
  return ts.getPreEmitDiagnostics(program, source).map((diagnostic) => {
    const { line } = source.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    const owner = owners[line] ?? -1;
    const where = owner >= 0 ? label(manifests[owner] as Manifest) : "imports";
    return `${where}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n").split("\n")[0]} (${lines[line]?.trim()})`;
  });
}
