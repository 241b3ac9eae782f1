interface ShutdownLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * On SIGTERM or SIGINT runs `steps` in order (stop accepting, drain, close pools and NATS) and
 * exits 0; if they take longer than `timeoutMs` it exits 1 so an orchestrator is not kept waiting.
 */
export function onShutdown(
  logger: ShutdownLogger,
  timeoutMs: number,
  steps: Array<[string, () => Promise<unknown>]>,
): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, "shutdown timed out");
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    for (const [name, step] of steps) {
      try {
        await step();
      } catch (error) {
        logger.error({ err: error, step: name }, "shutdown step failed");
      }
    }
    const stopTracing = (globalThis as { __migrateStopTracing?: () => Promise<unknown> }).__migrateStopTracing;
    await stopTracing?.();
    logger.info({}, "stopped");
    process.exit(0);
  };
  process.once("SIGTERM", () => void stop("SIGTERM"));
  process.once("SIGINT", () => void stop("SIGINT"));
}
