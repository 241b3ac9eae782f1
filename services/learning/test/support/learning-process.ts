import { createDb, type Database, sql, withTestSchema } from "@migrate/db";
import { LearningService } from "@migrate/gen/learning/v1/learning_pb";
import { type ClientHandle, createClient } from "@migrate/grpc";
import { meshCredentials, type ServiceProcess, startService } from "@migrate/launcher";
import { freePort } from "../../../telemetry/test/support/free-port.ts";

const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** A learning service process on a schema of its own, a client to it, and the schema's database. */
export interface LearningProcess {
  schema: string;
  /** `host:port` of its gRPC server (health checks). */
  target: string;
  metricsPort: number;
  service: ServiceProcess;
  learning: ClientHandle<typeof LearningService.method>;
  /** The service's schema, for the tests' own reads. */
  database: Database<unknown>;
  /** Stops client and process, drops the schema. */
  stop(): Promise<void>;
}

/** Starts the learning service for one test file; `env` adds to (or overrides) its settings. */
export async function startLearning(
  name: string,
  options: { env?: Record<string, string>; onLine?: (line: string) => void } = {},
): Promise<LearningProcess> {
  const schema = withTestSchema(name);
  const database = createDb({ url: DATABASE_URL, schema, name: `${name}-test` });
  const target = `127.0.0.1:${await freePort()}`;
  const metricsPort = await freePort();
  const service = await startService("learning", {
    env: {
      DATABASE_URL,
      DATABASE_SCHEMA: schema,
      GRPC_PORT: target.split(":")[1] as string,
      METRICS_PORT: `${metricsPort}`,
      LOG_LEVEL: "warn",
      ...options.env,
    },
    onLine: options.onLine,
  });
  const learning = createClient(LearningService, `dns:///${target}`, {
    credentials: meshCredentials(service.env, "test"),
  });
  return {
    schema,
    target,
    metricsPort,
    service,
    learning,
    database,
    stop: async () => {
      learning.close();
      await service.stop("SIGKILL");
      await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(database.db);
      await database.close();
    },
  };
}
