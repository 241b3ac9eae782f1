import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { request } from "node:http";
import { fileURLToPath } from "node:url";
import { checkHealth, createMeshCredentials, type MeshCredentials } from "@migrate/grpc";
import type { ServiceName } from "./ports.ts";

/** The repository root, where `services/<name>/src/main.ts` lives. */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/**
 * V8 heap bounds for every service. Without them V8 lets garbage pile up to hundreds of MB
 * before collecting (measured: flow 420 MB, agent 340 MB peak on a 10,000-server flow); with them
 * the same flow peaks near 290 and 180 MB. Override with MESH_NODE_FLAGS.
 */
export const SERVICE_NODE_FLAGS = (process.env.MESH_NODE_FLAGS ?? "--max-semi-space-size=8 --max-old-space-size=256")
  .split(" ")
  .filter(Boolean);

/**
 * glibc raises its mmap threshold each time a large block is freed, so after the first big
 * gRPC messages every later one is carved from the heap arenas and the pages stay resident after
 * the buffer is collected. A fixed threshold keeps blocks over it in their own mappings, returned
 * to the system when freed; setting it also turns the adjustment off. 4 MiB, not lower: a
 * protobuf writer doubles its buffer as it grows, and below the threshold each step of a
 * megabyte-sized message is a fresh mapping whose pages fault in one by one. Measured on a
 * 10,000-server flow and then three 100,000-server flows in a row (bench discovery, 2026-12-06):
 * 128 KiB: 4.58-4.81 s of CPU per 10k flow, peak agent/flow 251/260 MB; 4 MiB: 3.74 s (4.10 s
 * in a later run; runs swing by about 10 %), 273/276 MB; 32 MiB: 3.61 s, 288/290 MB (too near
 * the 300 MB bound); unset: 320 MB agent peak.
 */
const SERVICE_MALLOC_ENV: Record<string, string> = { MALLOC_MMAP_THRESHOLD_: "4194304" };

export interface StartServiceOptions {
  env: Record<string, string>;
  /** Called with every output line (already prefixed with the service name when `prefix` is set). */
  onLine?: (line: string) => void;
  prefix?: boolean;
  readyTimeoutMs?: number;
}

export interface ServiceProcess {
  name: ServiceName;
  env: Record<string, string>;
  child: ChildProcess;
  /** The last output lines, for diagnosing a failed start. */
  recentLines: string[];
  /** Sends `signal` and resolves with the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  /** Starts the same service again with the same environment and waits until it is ready. */
  restart(): Promise<void>;
}

/** A fresh key for a mesh's service-to-service tokens: every local mesh gets its own. */
export function newMeshSecret(): string {
  return randomBytes(32).toString("hex");
}

/** Credentials a test or script signs its direct gRPC calls with, for services started with `env`. */
export function meshCredentials(env: Record<string, string>, issuer = "launcher"): MeshCredentials {
  if (!env.MESH_SECRET) throw new Error("this environment has no MESH_SECRET");
  return createMeshCredentials({ secret: env.MESH_SECRET, issuer });
}

/**
 * Spawns one service as its own process and resolves once it answers as ready. Without a
 * MESH_SECRET in `options.env` the service gets a new one, readable from the returned `env`.
 */
export async function startService(name: ServiceName, options: StartServiceOptions): Promise<ServiceProcess> {
  const env = { MESH_SECRET: newMeshSecret(), ...options.env };
  const recentLines: string[] = [];
  const handle = { child: undefined as unknown as ChildProcess, exit: Promise.resolve<number | null>(null) };

  const launch = async () => {
    const args = [...SERVICE_NODE_FLAGS, "--import", "@migrate/telemetry/preload", `services/${name}/src/main.ts`];
    const child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      env: { ...SERVICE_MALLOC_ENV, ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    handle.child = child;
    handle.exit = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (!line) continue;
        recentLines.push(line);
        if (recentLines.length > 200) recentLines.shift();
        options.onLine?.(options.prefix ? `[${name.padEnd(9)}] ${line}` : line);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    await waitUntilReady(name, env, handle, options.readyTimeoutMs ?? 30_000, recentLines);
  };

  await launch();
  return {
    name,
    env,
    get child() {
      return handle.child;
    },
    recentLines,
    stop: async (signal: NodeJS.Signals = "SIGTERM") => {
      if (handle.child.exitCode !== null || handle.child.signalCode !== null) return handle.child.exitCode;
      handle.child.kill(signal);
      return handle.exit;
    },
    restart: launch,
  };
}

async function waitUntilReady(
  name: ServiceName,
  env: Record<string, string>,
  handle: { child: ChildProcess; exit: Promise<number | null> },
  timeoutMs: number,
  recentLines: string[],
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void handle.exit.then(() => {
    exited = true;
  });
  while (Date.now() < deadline) {
    if (exited) {
      throw new Error(`${name} exited during start-up:\n${recentLines.slice(-20).join("\n")}`);
    }
    if (await isReady(name, env)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  handle.child.kill("SIGKILL");
  throw new Error(`${name} was not ready within ${timeoutMs} ms:\n${recentLines.slice(-20).join("\n")}`);
}

async function isReady(name: ServiceName, env: Record<string, string>): Promise<boolean> {
  if (name === "gateway") return (await httpStatus(`http://127.0.0.1:${env.HTTP_PORT}/healthz`)) === 200;
  return (await checkHealth(`127.0.0.1:${env.GRPC_PORT}`, "", 500)) === "SERVING";
}

function httpStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { timeout: 500 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", () => resolve(0));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}
