import { Gauge, type Registry } from "prom-client";

/** What a `pg.Pool` tells about itself (structural, so this library needs no pg). */
export interface PoolCounts {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
  readonly options?: { max?: number };
}

/**
 * `db_pool_connections{state="total"|"idle"|"waiting"}` and `db_pool_max`, read at scrape time:
 * waiting > 0 for long means the pool, not the database, is the bottleneck.
 */
export function registerPoolMetrics(registry: Registry, pool: PoolCounts): void {
  new Gauge({
    name: "db_pool_connections",
    help: "PostgreSQL pool: open connections (total), idle ones, and queries waiting for one",
    labelNames: ["state"],
    registers: [registry],
    collect() {
      this.set({ state: "total" }, pool.totalCount);
      this.set({ state: "idle" }, pool.idleCount);
      this.set({ state: "waiting" }, pool.waitingCount);
    },
  });
  new Gauge({
    name: "db_pool_max",
    help: "PostgreSQL pool: the most connections it may open",
    registers: [registry],
    collect() {
      this.set(pool.options?.max ?? 0);
    },
  });
}
