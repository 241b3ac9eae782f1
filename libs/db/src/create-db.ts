import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { traceQueries } from "./query-spans.ts";

// int8 (counts, bigint ids) as numbers: the mesh's counts stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export interface Database<DB> {
  db: Kysely<DB>;
  pool: pg.Pool;
  schema: string;
  close(): Promise<void>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * A kysely instance over its own pool whose connections resolve unqualified names in the
 * service's schema first (then `public`, where the `vector` extension lives).
 */
export function createDb<DB>(options: {
  url: string;
  schema: string;
  poolMax?: number;
  name: string;
  /** Told of every connection that dies (to log it); the pool replaces the connection. */
  onConnectionError?: (error: Error) => void;
  /** Session settings every connection starts with (e.g. pgvector's `hnsw.ef_search`). */
  settings?: Record<string, string | number>;
}): Database<DB> {
  if (!SCHEMA_NAME.test(options.schema)) throw new Error(`invalid schema name ${JSON.stringify(options.schema)}`);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolMax ?? 10,
    // Visible in pg_stat_activity: which service and instance holds each connection.
    application_name: options.name.slice(0, 63),
    keepAlive: true,
    options: [`-c search_path=${options.schema},public`, ...settingOptions(options.settings)].join(" "),
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client's error (server restart) must not crash the process; the pool replaces it.
  pool.on("error", (error) => options.onConnectionError?.(error));
  // A checked-out client whose connection dies (failover, pg_terminate_backend) emits 'error' too,
  // and the pool listens only to idle ones: without this listener that event stops the process.
  // Its running query fails on its own, and the pool discards the client when it is released.
  pool.on("connect", (client) => {
    client.on("error", (error) => options.onConnectionError?.(error));
    traceQueries(client);
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    pool,
    schema: options.schema,
    close: async () => {
      await db.destroy();
    },
  };
}

const SETTING_NAME = /^[a-z_][a-z0-9_.]*$/;
const SETTING_VALUE = /^[A-Za-z0-9_.-]+$/;

function settingOptions(settings: Record<string, string | number> = {}): string[] {
  return Object.entries(settings).map(([name, value]) => {
    if (!SETTING_NAME.test(name) || !SETTING_VALUE.test(String(value))) {
      throw new Error(`invalid session setting ${name}=${value}`);
    }
    return `-c ${name}=${value}`;
  });
}

/** A schema name unique to one test file's run, so reruns and parallel files never share data. */
export function withTestSchema(prefix: string): string {
  return `${prefix}_t${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
}
