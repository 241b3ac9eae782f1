/** A check of one dependency (a `select 1`, a NATS round trip): resolves when it is usable. */
export type DependencyProbe = () => Promise<unknown>;

export interface DependencyWatcherOptions {
  probes: Record<string, DependencyProbe>;
  /** Time between the end of one round and the start of the next. */
  intervalMs?: number;
  /** A probe slower than this counts as failed. */
  timeoutMs?: number;
  /** Called with the failing probes' names whenever that set changes (empty: all pass again). */
  onChange(failing: string[]): void;
}

export interface DependencyWatcher {
  /** Runs one round now and reports what failed. */
  check(): Promise<string[]>;
  stop(): void;
}

/**
 * Runs every probe periodically (rounds never overlap) and reports changes in which of them
 * fail, so a service's readiness follows its database and broker without a probe per request.
 */
export function watchDependencies(options: DependencyWatcherOptions): DependencyWatcher {
  const intervalMs = options.intervalMs ?? 5_000;
  const timeoutMs = options.timeoutMs ?? 2_000;
  let reported = "";
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  const check = async () => {
    const results = await Promise.all(
      Object.entries(options.probes).map(async ([name, probe]) => ((await passes(probe, timeoutMs)) ? [] : [name])),
    );
    const failing = results.flat().sort();
    const key = failing.join(",");
    if (!stopped && key !== reported) {
      reported = key;
      options.onChange(failing);
    }
    return failing;
  };
  const loop = () => {
    timer = setTimeout(() => {
      void check().finally(() => {
        if (!stopped) loop();
      });
    }, intervalMs);
    timer.unref();
  };
  void check().finally(() => {
    if (!stopped) loop();
  });
  return {
    check,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

async function passes(probe: DependencyProbe, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([probe().then(() => true as const), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
