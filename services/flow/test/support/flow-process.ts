import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { FlowService } from "@migrate/gen/flow/v1/flow_pb";
import { checkHealth, type MeshCredentials } from "@migrate/grpc";
import { meshCredentials, newMeshSecret } from "@migrate/launcher";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

/** A port nobody listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface FlowProcess {
  child: ChildProcess;
  port: number;
  target: string;
  /** Signs direct gRPC calls to this process (its MESH_SECRET). */
  credentials: MeshCredentials;
  logs: string[];
  /** Resolves with the exit code (null when killed by a signal) and how long the exit took. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; ms: number }>;
}

/**
 * Starts the real flow service (`node --import @migrate/telemetry/preload services/flow/src/main.ts`)
 * with `env` on top of this process's, and waits until its gRPC health check says SERVING.
 */
export async function startFlowService(env: Record<string, string>): Promise<FlowProcess> {
  const port = await freePort();
  const childEnv: Record<string, string> = {
    LOG_LEVEL: "info",
    METRICS_PORT: String(await freePort()),
    GRPC_PORT: String(port),
    MESH_SECRET: newMeshSecret(),
    ...env,
  };
  const child = spawn(process.execPath, ["--import", "@migrate/telemetry/preload", "services/flow/src/main.ts"], {
    cwd: ROOT,
    env: { ...process.env, ...childEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: string[] = [];
  child.stdout?.setEncoding("utf8").on("data", (text: string) => logs.push(...text.split("\n").filter(Boolean)));
  child.stderr?.setEncoding("utf8").on("data", (text: string) => logs.push(...text.split("\n").filter(Boolean)));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const target = `127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`flow service exited with ${child.exitCode}:\n${logs.join("\n")}`);
    if ((await checkHealth(target, FlowService.typeName, 500)) === "SERVING") break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`flow service did not become ready:\n${logs.join("\n")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    child,
    port,
    target,
    credentials: meshCredentials(childEnv, "test"),
    logs,
    stop: async (signal = "SIGTERM") => {
      const started = Date.now();
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const code = await exited;
      return { code, ms: Date.now() - started };
    },
  };
}
