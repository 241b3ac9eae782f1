import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));

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

export interface ServiceProcess {
  child: ChildProcess;
  logs: string[];
  /** Resolves with the exit code (null when killed by a signal) and how long the exit took. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; ms: number }>;
}

/**
 * Starts a service exactly as deployed (`node --import @migrate/telemetry/preload <entry>`)
 * with `env` over this process's, and waits until `ready()` holds.
 */
export async function startServiceProcess(options: {
  entry: string;
  env: Record<string, string>;
  ready: () => Promise<boolean>;
  timeoutMs?: number;
}): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ["--import", "@migrate/telemetry/preload", options.entry], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: "info", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: string[] = [];
  const collect = (text: string) => logs.push(...text.split("\n").filter(Boolean));
  child.stdout?.setEncoding("utf8").on("data", collect);
  child.stderr?.setEncoding("utf8").on("data", collect);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${options.entry} exited with ${child.exitCode}:\n${logs.join("\n")}`);
    if (await options.ready().catch(() => false)) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${options.entry} did not become ready:\n${logs.join("\n")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    child,
    logs,
    stop: async (signal = "SIGTERM") => {
      const started = Date.now();
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const code = await exited;
      return { code, ms: Date.now() - started };
    },
  };
}
