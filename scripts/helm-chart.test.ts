/**
 * The Helm chart, checked by the real helm (v4, fetched by scripts/fetch-helm.sh, which
 * scripts/setup.sh runs): `helm lint --strict` and `helm template` with every example values
 * file, every rendered manifest validated against the Kubernetes API schemas, and the policies
 * an operator relies on asserted on every workload. No cluster is needed; installing on one
 * (kind) is .github/workflows/chart.yml's job.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { type Manifest, typeCheckManifests, validateWithSchemas } from "./lib/kubernetes-manifests.ts";

const root = new URL("../", import.meta.url).pathname;
const chart = join(root, "deploy/helm/migrate-mesh");
const examplesDir = join(root, "deploy/helm/examples");
const examples = readdirSync(examplesDir)
  .filter((file) => file.endsWith(".yaml"))
  .sort();
// The Kubernetes version the schemas (kubernetes-models 5.1) describe.
const KUBE_VERSION = "1.34.0";
const helmBin = process.env.HELM_BIN ?? join(root, ".cache/helm/helm");
const scratch = mkdtempSync(join(tmpdir(), "helm-chart-test-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const SERVICES = ["gateway", "flow", "agent", "learning", "telemetry"] as const;
type Service = (typeof SERVICES)[number];
/** Each service's secret variables: what it may receive, and what it must (README, docs/security.md). */
const SECRETS: Record<Service, { allowed: string[]; required: string[] }> = {
  gateway: { allowed: ["MESH_SECRET", "JWT_SECRET", "REDIS_URL"], required: ["MESH_SECRET", "REDIS_URL"] },
  flow: { allowed: ["MESH_SECRET", "DATABASE_URL"], required: ["MESH_SECRET", "DATABASE_URL"] },
  agent: { allowed: ["MESH_SECRET", "DATABASE_URL", "LLM_API_KEY"], required: ["MESH_SECRET", "DATABASE_URL"] },
  learning: {
    allowed: ["MESH_SECRET", "DATABASE_URL", "EMBEDDINGS_API_KEY"],
    required: ["MESH_SECRET", "DATABASE_URL"],
  },
  telemetry: { allowed: ["MESH_SECRET", "DATABASE_URL"], required: ["MESH_SECRET", "DATABASE_URL"] },
};
/** Who calls whom over gRPC (docs/security.md). */
const CALLERS: Record<Exclude<Service, "gateway">, Service[]> = {
  flow: ["gateway"],
  agent: ["gateway", "flow"],
  learning: ["gateway", "flow", "agent"],
  telemetry: ["gateway", "agent"],
};
const SECRET_NAME = /(^DATABASE_URL$|^REDIS_URL$|SECRET|PASSWORD|API_KEY|TOKEN)/;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}
function helm(...args: string[]): Run {
  const result = spawnSync(helmBin, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
function valuesFile(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}
/** `helm template` (fails the test on an error) parsed into manifests. */
function render(args: string[] = [], release = "mesh"): Manifest[] {
  const result = helm("template", release, chart, "--namespace", "migrate", "--kube-version", KUBE_VERSION, ...args);
  expect(result.status, result.stderr).toBe(0);
  return parseAllDocuments(result.stdout)
    .map((document) => document.toJS() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null);
}

type Container = {
  name: string;
  args?: string[];
  env?: Array<{ name: string; value?: string; valueFrom?: Record<string, Record<string, unknown>> }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown> & { capabilities?: { drop?: string[]; add?: string[] } };
  startupProbe?: Record<string, unknown>;
  readinessProbe?: Record<string, unknown>;
  livenessProbe?: Record<string, unknown>;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
};
type PodSpec = {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  securityContext?: Record<string, unknown>;
  containers: Container[];
  volumes?: Array<{ name: string; emptyDir?: unknown }>;
  terminationGracePeriodSeconds?: number;
};
const podSpecOf = (manifest: Manifest): PodSpec | undefined => {
  const spec = manifest.spec as { template?: { spec: PodSpec } } & PodSpec;
  if (manifest.kind === "Pod") return spec;
  return spec?.template?.spec;
};
const byKind = (manifests: Manifest[], kind: string) => manifests.filter((manifest) => manifest.kind === kind);
const find = (manifests: Manifest[], kind: string, name: string) => {
  const found = manifests.find((manifest) => manifest.kind === kind && manifest.metadata.name === name);
  if (!found) throw new Error(`${kind}/${name} is not rendered`);
  return found;
};
const serviceOf = (deployment: Manifest) => deployment.metadata.labels?.["app.kubernetes.io/name"] as Service;
const secretVariables = (container: Container) =>
  (container.env ?? []).filter((entry) => entry.valueFrom?.secretKeyRef).map((entry) => entry.name);

beforeAll(() => {
  if (!existsSync(helmBin)) {
    throw new Error(
      `helm not found at ${helmBin}: run \`bash scripts/fetch-helm.sh\` (scripts/setup.sh does) or set HELM_BIN`,
    );
  }
  const version = helm("version", "--short");
  expect(version.stdout).toMatch(/^v4\./);
});

describe("helm lint --strict", () => {
  it.each([["(chart defaults)"], ...examples.map((file) => [file])])("passes with %s", (file) => {
    const values = file.startsWith("(") ? [] : ["--values", join(examplesDir, file)];
    const result = helm("lint", "--strict", chart, "--kube-version", KUBE_VERSION, ...values);
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain("1 chart(s) linted, 0 chart(s) failed");
  });
});

describe.each([["(chart defaults)"], ...examples.map((file) => [file])])("helm template with %s", (file) => {
  const args = file.startsWith("(") ? [] : ["--values", join(examplesDir, file)];
  let manifests: Manifest[] = [];
  beforeAll(() => {
    manifests = render(args);
  });
  const deployments = () => byKind(manifests, "Deployment");
  const configOf = (deployment: Manifest) =>
    find(manifests, "ConfigMap", deployment.metadata.name).data as Record<string, string>;

  it("renders every service", () => {
    expect(deployments().map(serviceOf).sort()).toEqual([...SERVICES].sort());
  });

  it("validates against the Kubernetes API schemas (types, required fields, no unknown field)", async () => {
    expect(await validateWithSchemas(manifests)).toEqual([]);
    expect(typeCheckManifests(manifests)).toEqual([]);
  });

  it("labels every object with the chart and the release, names within 63 characters", () => {
    for (const manifest of manifests) {
      expect(manifest.metadata.labels?.["helm.sh/chart"], manifest.metadata.name).toMatch(/^migrate-mesh-\d/);
      expect(manifest.metadata.labels?.["app.kubernetes.io/instance"]).toBe("mesh");
      expect(manifest.metadata.name.length).toBeLessThanOrEqual(63);
    }
  });

  it("runs every pod under the restricted Pod Security level", () => {
    const workloads = manifests.filter((manifest) => podSpecOf(manifest));
    expect(workloads.length).toBeGreaterThanOrEqual(SERVICES.length);
    for (const workload of workloads) {
      const pod = podSpecOf(workload) as PodSpec;
      const name = `${workload.kind}/${workload.metadata.name}`;
      expect(pod.automountServiceAccountToken, name).toBe(false);
      expect(pod.securityContext, name).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: "RuntimeDefault" },
      });
      expect(pod.securityContext?.runAsUser, name).toBeGreaterThan(0);
      for (const container of pod.containers) {
        expect(container.securityContext, name).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
        });
        expect(container.securityContext?.capabilities?.drop, name).toEqual(["ALL"]);
        expect(container.securityContext?.capabilities?.add ?? [], name).toEqual([]);
        // Requests for scheduling (and the HPA's utilisation), a memory limit against leaks.
        expect(container.resources?.requests?.cpu, name).toBeTruthy();
        expect(container.resources?.requests?.memory, name).toBeTruthy();
        expect(container.resources?.limits?.memory, name).toBeTruthy();
        if (workload.kind !== "Pod") {
          // The root filesystem is read-only: /tmp is the one writable place.
          expect(container.volumeMounts, name).toContainEqual({ name: "tmp", mountPath: "/tmp" });
          expect(pod.volumes?.find((volume) => volume.name === "tmp")?.emptyDir, name).toBeTruthy();
        }
      }
    }
  });

  it("gives each service its own ServiceAccount without a token", () => {
    for (const deployment of deployments()) {
      const pod = podSpecOf(deployment) as PodSpec;
      const account = find(manifests, "ServiceAccount", pod.serviceAccountName ?? "default");
      expect(account.automountServiceAccountToken).toBe(false);
      expect(pod.serviceAccountName).toBe(deployment.metadata.name);
    }
  });

  it("probes start-up, readiness and liveness: gRPC health inside, HTTP at the gateway", () => {
    for (const deployment of deployments()) {
      const container = (podSpecOf(deployment) as PodSpec).containers[0] as Container;
      const service = serviceOf(deployment);
      if (service === "gateway") {
        expect(container.startupProbe).toMatchObject({ httpGet: { path: "/healthz", port: "http" } });
        expect(container.readinessProbe).toMatchObject({ httpGet: { path: "/readyz", port: "http" } });
        expect(container.livenessProbe).toMatchObject({ httpGet: { path: "/healthz", port: "http" } });
      } else {
        const port = Number(configOf(deployment).GRPC_PORT);
        expect(container.startupProbe).toMatchObject({ grpc: { port, service: "liveness" } });
        expect(container.readinessProbe).toMatchObject({ grpc: { port, service: "" } });
        expect(container.livenessProbe).toMatchObject({ grpc: { port, service: "liveness" } });
      }
      // The start-up probe covers a slow start; the others then need no initial delay.
      const startup = container.startupProbe as { periodSeconds: number; failureThreshold: number };
      expect(startup.periodSeconds * startup.failureThreshold).toBeGreaterThanOrEqual(60);
    }
  });

  it("keeps secrets out of plain values: each service gets only its own, by secretKeyRef", () => {
    for (const deployment of deployments()) {
      const service = serviceOf(deployment);
      const container = (podSpecOf(deployment) as PodSpec).containers[0] as Container;
      for (const entry of container.env ?? []) {
        if (SECRET_NAME.test(entry.name))
          expect(entry.valueFrom?.secretKeyRef, `${service} ${entry.name}`).toBeTruthy();
      }
      expect(
        container.envFrom?.some((source) => source.secretRef),
        service,
      ).toBe(false);
      const variables = secretVariables(container);
      for (const variable of variables)
        expect(SECRETS[service].allowed, `${service} gets ${variable}`).toContain(variable);
      for (const variable of SECRETS[service].required) expect(variables, service).toContain(variable);
      for (const [key, value] of Object.entries(configOf(deployment))) {
        expect(SECRET_NAME.test(key), `${service} ConfigMap holds ${key}`).toBe(false);
        // No URL with a password in it.
        expect(value, `${service} ConfigMap ${key}`).not.toMatch(/:\/\/[^/@\s]*:[^/@\s]+@/);
      }
    }
    for (const configMap of byKind(manifests, "ConfigMap")) {
      for (const key of Object.keys((configMap.data ?? {}) as object)) {
        if (key.endsWith(".json")) continue;
        expect(SECRET_NAME.test(key), `${configMap.metadata.name} holds ${key}`).toBe(false);
      }
    }
  });

  it("sets the grace period from SHUTDOWN_TIMEOUT_MS and rolls pods when settings change", () => {
    for (const deployment of deployments()) {
      const pod = podSpecOf(deployment) as PodSpec;
      const timeoutSeconds = Number(configOf(deployment).SHUTDOWN_TIMEOUT_MS) / 1_000;
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(timeoutSeconds);
      expect(pod.terminationGracePeriodSeconds).toBeLessThanOrEqual(timeoutSeconds + 30);
      const annotations = (deployment.spec as { template: { metadata: { annotations: Record<string, string> } } })
        .template.metadata.annotations;
      expect(annotations["checksum/config"]).toMatch(/^[0-9a-f]{64}$/);
      expect(configOf(deployment).BIND_HOST).toBe("0.0.0.0");
    }
  });

  it("gives every service a NetworkPolicy that admits only its callers", () => {
    const policies = byKind(manifests, "NetworkPolicy");
    for (const deployment of deployments()) {
      const service = serviceOf(deployment);
      const podLabels = (deployment.spec as { template: { metadata: { labels: Record<string, string> } } }).template
        .metadata.labels;
      const policy = policies.find((candidate) => {
        const selector = (candidate.spec as { podSelector: { matchLabels: Record<string, string> } }).podSelector
          .matchLabels;
        return Object.entries(selector).every(([key, value]) => podLabels[key] === value);
      });
      expect(policy, `NetworkPolicy of ${service}`).toBeTruthy();
      const spec = (policy as Manifest).spec as {
        policyTypes: string[];
        ingress: Array<{ ports: Array<{ port: string | number }>; from?: Array<Record<string, unknown>> }>;
        egress: Array<{ ports: Array<{ port: number; protocol: string }> }>;
      };
      expect(spec.policyTypes).toEqual(["Ingress", "Egress"]);
      expect(spec.egress.some((rule) => rule.ports.some((port) => port.port === 53 && port.protocol === "UDP"))).toBe(
        true,
      );
      if (service === "gateway") continue;
      const api = spec.ingress.find((rule) => rule.ports.some((port) => port.port === "grpc"));
      const callers = (api?.from ?? []).map(
        (peer) => (peer.podSelector as { matchLabels: Record<string, string> }).matchLabels["app.kubernetes.io/name"],
      );
      expect(callers.sort(), service).toEqual([...CALLERS[service]].sort());
    }
  });

  it("points every gRPC target at a rendered Service", () => {
    const services = new Set(byKind(manifests, "Service").map((service) => service.metadata.name));
    for (const deployment of deployments()) {
      for (const [key, value] of Object.entries(configOf(deployment))) {
        if (!key.endsWith("_GRPC_TARGET")) continue;
        const host = value.replace(/^dns:\/\/\//, "").split(":")[0] as string;
        expect(services.has(host), `${serviceOf(deployment)} ${key}=${value}`).toBe(true);
      }
    }
  });

  it("migrates each schema in a pre-install/pre-upgrade hook Job, and the services do not", () => {
    const jobs = byKind(manifests, "Job");
    expect(jobs.map((job) => job.metadata.labels?.["migrate-mesh/service"]).sort()).toEqual(
      ["agent", "flow", "learning", "telemetry"].sort(),
    );
    for (const job of jobs) {
      expect(job.metadata.annotations?.["helm.sh/hook"]).toBe("pre-install,pre-upgrade");
      const container = (podSpecOf(job) as PodSpec).containers[0] as Container;
      expect(container.args).toEqual([`services/${job.metadata.labels?.["migrate-mesh/service"]}/src/migrate.ts`]);
      expect(secretVariables(container)).toEqual(["DATABASE_URL"]);
    }
    for (const deployment of deployments()) {
      if (serviceOf(deployment) === "gateway") continue;
      expect(configOf(deployment).MIGRATE_ON_START).toBe("false");
      expect(Number(configOf(deployment).GRPC_MAX_CONNECTION_AGE_MS)).toBeGreaterThan(0);
    }
  });
});

describe("the DATABASE_URL bug (a plain env entry beat the Secret's)", () => {
  it("gives the flow container the DATABASE_URL of the referenced Secret, and nothing else can override it", () => {
    const manifests = render(["--set", "secrets.existingSecret=migrate-secrets"]);
    const flow = find(manifests, "Deployment", "mesh-flow");
    const container = (podSpecOf(flow) as PodSpec).containers[0] as Container;
    // Kubernetes resolves envFrom first, then env over it: replay that to get what the process sees.
    const effective = new Map<string, unknown>();
    for (const source of container.envFrom ?? []) {
      if (source.configMapRef) {
        const data = find(manifests, "ConfigMap", source.configMapRef.name).data as Record<string, string>;
        for (const [key, value] of Object.entries(data)) effective.set(key, { value });
      }
      expect(source.secretRef).toBeUndefined();
    }
    for (const entry of container.env ?? []) effective.set(entry.name, entry.valueFrom ?? { value: entry.value });
    expect(effective.get("DATABASE_URL")).toEqual({ secretKeyRef: { name: "migrate-secrets", key: "DATABASE_URL" } });
    // The chart makes no Secret of its own then, and the migration Job reads the same one.
    expect(byKind(manifests, "Secret").map((secret) => secret.metadata.name)).toEqual(["mesh-mesh"]);
    const job = find(manifests, "Job", "mesh-migrate-flow");
    expect(((podSpecOf(job) as PodSpec).containers[0] as Container).env).toContainEqual({
      name: "DATABASE_URL",
      valueFrom: { secretKeyRef: { name: "migrate-secrets", key: "DATABASE_URL" } },
    });
  });

  it("refuses DATABASE_URL as a plain setting", () => {
    const result = helm("template", "mesh", chart, "--set", "services.flow.env.DATABASE_URL=postgres://x");
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("at '/services/flow/env/DATABASE_URL': 'not' failed");
    expect(result.stderr).toContain("invalid propertyName 'DATABASE_URL'");
    // Any *_SECRET, *_PASSWORD, *_API_KEY or *_TOKEN too.
    const token = helm("template", "mesh", chart, "--set", "services.gateway.env.NATS_TOKEN=x");
    expect(token.status).not.toBe(0);
    expect(token.stderr).toContain("invalid propertyName 'NATS_TOKEN'");
  });

  it("builds the chart-made Secret from `external` and hands the migration Jobs a hook copy", () => {
    const manifests = render([
      "--set",
      "external.postgresql.password=p@ss word",
      "--set",
      "external.postgresql.sslmode=require",
    ]);
    const secret = find(manifests, "Secret", "mesh-secrets");
    const data = secret.data as Record<string, string>;
    const decode = (value?: string) => Buffer.from(value ?? "", "base64").toString();
    expect(decode(data.DATABASE_URL)).toBe("postgres://postgres:p%40ss+word@postgresql:5432/postgres?sslmode=require");
    expect(decode(data.REDIS_URL)).toBe("redis://redis-master:6379/0");
    expect(decode(data.JWT_SECRET)).toMatch(/^[A-Za-z0-9]{48}$/);
    const hook = find(manifests, "Secret", "mesh-migrations");
    expect(hook.metadata.annotations?.["helm.sh/hook-weight"]).toBe("-10");
    expect(Object.keys(hook.data as object)).toEqual(["DATABASE_URL"]);
    expect((hook.data as Record<string, string>).DATABASE_URL).toBe(data.DATABASE_URL);
  });
});

describe("values.schema.json", () => {
  const broken = valuesFile(
    "broken-values.yaml",
    ["services:", "  flow:", "    replica: 3", "  gateway:", '    port: "eighty"', "otel:", "  samplerArg: 2", ""].join(
      "\n",
    ),
  );

  it("refuses a mistyped key and a wrong type, naming both, in helm lint and helm template", () => {
    for (const args of [
      ["lint", "--strict", chart, "--values", broken],
      ["template", "mesh", chart, "--values", broken],
    ]) {
      const result = helm(...args);
      expect(result.status, args[0]).not.toBe(0);
      const output = result.stdout + result.stderr;
      expect(output).toContain("values don't meet the specifications of the schema");
      expect(output).toContain("at '/services/flow': additional properties 'replica' not allowed");
      expect(output).toContain("at '/services/gateway/port': got string, want integer");
      expect(output).toContain("at '/otel/samplerArg'");
    }
  });

  it("refuses unknown keys at every level it owns", () => {
    for (const [set, where] of [
      ["defaults.probes.startup.periodSecond=1", "at '/defaults/probes/startup': additional properties 'periodSecond'"],
      ["services.learning.autoscaling.enabled=true", "at '/services/learning': additional properties 'autoscaling'"],
      ["ingress.host=x", "at '/ingress': additional properties 'host'"],
      ["externl.nats.url=x", "additional properties 'externl' not allowed"],
    ] as const) {
      const result = helm("template", "mesh", chart, "--set", set);
      expect(result.status, set).not.toBe(0);
      expect(result.stderr, set).toContain(where);
    }
  });
});

describe("chart behaviour", () => {
  it("truncates every name, gRPC targets included, for the longest release name", () => {
    const release = "r".repeat(53);
    const manifests = render([], release);
    const services = new Set(byKind(manifests, "Service").map((service) => service.metadata.name));
    const names = manifests.map((manifest) => `${manifest.kind}/${manifest.metadata.name}`);
    expect(new Set(names).size).toBe(names.length);
    for (const manifest of manifests) expect(manifest.metadata.name.length).toBeLessThanOrEqual(63);
    for (const configMap of byKind(manifests, "ConfigMap")) {
      for (const [key, value] of Object.entries((configMap.data ?? {}) as Record<string, string>)) {
        if (key.endsWith("_GRPC_TARGET"))
          expect(services.has(value.slice(7).split(":")[0] as string), value).toBe(true);
      }
    }
    expect(typeCheckManifests(manifests)).toEqual([]);
  });

  it("scales gateway, flow and agent with HPAs, leaving replicas to them", () => {
    const manifests = render(
      ["gateway", "flow", "agent"].flatMap((service) => ["--set", `services.${service}.autoscaling.enabled=true`]),
    );
    const hpas = byKind(manifests, "HorizontalPodAutoscaler");
    expect(hpas.map((hpa) => hpa.metadata.name).sort()).toEqual(["mesh-agent", "mesh-flow", "mesh-gateway"]);
    for (const hpa of hpas) {
      const deployment = find(manifests, "Deployment", hpa.metadata.name);
      expect((deployment.spec as { replicas?: number }).replicas).toBeUndefined();
    }
    expect((find(manifests, "Deployment", "mesh-learning").spec as { replicas: number }).replicas).toBe(1);
  });

  it("lets `enabled: false` override a default of true (no PDB, no NetworkPolicy, no Jobs)", () => {
    const manifests = render([
      "--set",
      "defaults.pdb.enabled=false",
      "--set",
      "networkPolicy.enabled=false",
      "--set",
      "migrations.enabled=false",
      "--set",
      "services.telemetry.enabled=false",
    ]);
    expect(byKind(manifests, "PodDisruptionBudget")).toEqual([]);
    expect(byKind(manifests, "NetworkPolicy")).toEqual([]);
    expect(byKind(manifests, "Job")).toEqual([]);
    expect(byKind(manifests, "Deployment").map(serviceOf).sort()).toEqual(["agent", "flow", "gateway", "learning"]);
    // Without the hook Jobs every replica migrates at start (an advisory lock serialises them).
    expect((find(manifests, "ConfigMap", "mesh-flow").data as Record<string, string>).MIGRATE_ON_START).toBe("true");
  });

  it("rolls only the pods whose settings changed", () => {
    const checksum = (manifests: Manifest[], name: string) =>
      (find(manifests, "Deployment", name).spec as { template: { metadata: { annotations: Record<string, string> } } })
        .template.metadata.annotations["checksum/config"];
    const before = render();
    const after = render(["--set", "services.flow.env.FLOW_CONCURRENCY=4"]);
    expect(checksum(after, "mesh-flow")).not.toBe(checksum(before, "mesh-flow"));
    expect(checksum(after, "mesh-agent")).toBe(checksum(before, "mesh-agent"));
    expect((find(after, "ConfigMap", "mesh-flow").data as Record<string, string>).FLOW_CONCURRENCY).toBe("4");
  });

  it("refuses a gateway drain as long as its shutdown budget", () => {
    const result = helm("template", "mesh", chart, "--set", "services.gateway.shutdownDrainMs=20000");
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("services.gateway.shutdownDrainMs must be below its shutdownTimeoutMs");
  });

  it("ships the dashboard and the alert rules, equal to deploy/grafana and deploy/prometheus", () => {
    const read = (path: string) => readFileSync(join(root, path), "utf8");
    // helm reads files inside the chart only, and a symlink out of it is refused: the chart keeps copies.
    const copies: Array<[string, string]> = [
      ["deploy/grafana/migrate-mesh.json", "deploy/helm/migrate-mesh/files/grafana/migrate-mesh.json"],
      ["deploy/prometheus/alerts.yml", "deploy/helm/migrate-mesh/files/prometheus/alerts.yml"],
    ];
    for (const [original, copy] of copies) {
      const digest = (path: string) => createHash("sha256").update(read(path)).digest("hex");
      expect(digest(copy), `${copy} differs from ${original}: cp ${original} ${copy}`).toBe(digest(original));
    }
    const manifests = render([
      "--set",
      "metrics.grafanaDashboard.enabled=true",
      "--set",
      "metrics.prometheusRule.enabled=true",
    ]);
    const dashboard = find(manifests, "ConfigMap", "mesh-dashboard");
    expect(dashboard.metadata.labels?.grafana_dashboard).toBe("1");
    expect(JSON.parse((dashboard.data as Record<string, string>)["migrate-mesh.json"] as string)).toEqual(
      JSON.parse(read("deploy/grafana/migrate-mesh.json")),
    );
    const rule = find(manifests, "PrometheusRule", "mesh-alerts");
    const alerts = parseAllDocuments(read("deploy/prometheus/alerts.yml"))[0]?.toJS() as { groups: unknown };
    expect((rule.spec as { groups: unknown }).groups).toEqual(alerts.groups);
  });

  it("runs what the image holds, as the image's numeric user", () => {
    const dockerfile = readFileSync(join(root, "deploy/docker/Dockerfile"), "utf8");
    const user = [...dockerfile.matchAll(/^USER\s+(\S+)/gm)].at(-1)?.[1] ?? "";
    expect(user, "the image's USER is numeric (runAsNonRoot can verify only a number)").toMatch(/^\d+(:\d+)?$/);
    const [uid, gid] = user.split(":").map(Number);
    const manifests = render();
    const ignored = readFileSync(join(root, "deploy/docker/Dockerfile.dockerignore"), "utf8");
    expect(ignored).not.toMatch(/^services\/?$/m);
    for (const workload of manifests.filter((manifest) => manifest.kind !== "Pod" && podSpecOf(manifest))) {
      const pod = podSpecOf(workload) as PodSpec;
      expect(pod.securityContext).toMatchObject({ runAsUser: uid, runAsGroup: gid ?? uid });
      for (const container of pod.containers) {
        // The entry point (node --import the preload) takes the module to run as its argument.
        const [entry] = container.args ?? [];
        expect(existsSync(join(root, entry ?? "")), `${workload.metadata.name} runs ${entry}`).toBe(true);
      }
    }
  });

  it("tells how to reach the gateway, get a token and open Jaeger (NOTES.txt)", () => {
    const result = helm("install", "mesh", chart, "--dry-run=client", "--namespace", "migrate");
    expect(result.status, result.stderr).toBe(0);
    const notes = result.stdout.slice(result.stdout.indexOf("NOTES:"));
    expect(notes).toContain("port-forward service/mesh-gateway 8080:8080");
    expect(notes).toContain("get secret mesh-secrets -o jsonpath='{.data.JWT_SECRET}'");
    expect(notes).toContain("npm run -s token -- --client acme");
    expect(notes).toContain("http://jaeger-collector:4318");
  });
});
