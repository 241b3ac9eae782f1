import { createServer, type Server } from "node:http";
import { collectDefaultMetrics, Registry } from "prom-client";

/** A registry with Node's default metrics, every series labelled with the service. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Serves `GET /metrics` on its own port, apart from the service's API port. */
export async function startMetricsServer(options: {
  port: number;
  host?: string;
  registry: Registry;
}): Promise<Server> {
  const server = createServer(async (req, res) => {
    if (req.method === "GET" && req.url?.split("?")[0] === "/metrics") {
      res.setHeader("content-type", options.registry.contentType);
      res.end(await options.registry.metrics());
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => resolve());
  });
  return server;
}
