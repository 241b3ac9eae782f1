import { freePortBase, type Mesh, type StartMeshOptions, startMesh } from "@migrate/launcher";
import { signDevToken } from "../services/gateway/src/auth/dev-token.ts";

/**
 * An isolated mesh for one scenario (quiet logs, its own ports, schemas and streams; the
 * caller stops it and drops its state) and an analyst's token for its gateway.
 */
export async function startBenchMesh(
  options: Pick<StartMeshOptions, "env" | "serviceEnv"> & { client?: string } = {},
): Promise<{ mesh: Mesh; token: string }> {
  const mesh = await startMesh({
    isolate: true,
    portBase: await freePortBase(),
    env: { LOG_LEVEL: "warn", ...options.env },
    serviceEnv: options.serviceEnv,
  });
  const token = await signDevToken({
    client: options.client ?? "bench",
    sub: "bench",
    roles: ["analyst"],
    secret: mesh.jwtSecret,
    expiresIn: "1h",
  });
  return { mesh, token };
}
