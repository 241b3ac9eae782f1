import { existsSync, readFileSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join } from "node:path";

/** The namespace every service of the mesh reports under. */
export const SERVICE_NAMESPACE = "migrate-mesh";

const MAIN_MODULE = /[\\/]services[\\/]([a-z0-9-]+)[\\/]src[\\/]main\.ts$/;

/**
 * The resource attributes of the process started from `mainPath`: a service started as
 * `services/<name>/src/main.ts` is `migrate-<name>` at its package's version. OTEL_SERVICE_NAME
 * and OTEL_RESOURCE_ATTRIBUTES still win (the SDK's environment detector applies them last).
 */
export function serviceResourceAttributes(
  mainPath: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const service = mainPath?.match(MAIN_MODULE)?.[1];
  const attributes: Record<string, string> = {
    "service.namespace": SERVICE_NAMESPACE,
    // Matches the `instance` field of the logs when SERVICE_INSTANCE is set (the pod name on Kubernetes).
    "service.instance.id": env.SERVICE_INSTANCE || `${hostname()}-${process.pid}`,
  };
  if (service) attributes["service.name"] = `migrate-${service}`;
  const version = mainPath && service ? packageVersion(join(dirname(mainPath), "..", "package.json")) : undefined;
  if (version) attributes["service.version"] = version;
  return attributes;
}

function packageVersion(path: string): string | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const version = (JSON.parse(readFileSync(path, "utf8")) as { version?: unknown }).version;
    return typeof version === "string" ? version : undefined;
  } catch {
    return undefined;
  }
}
