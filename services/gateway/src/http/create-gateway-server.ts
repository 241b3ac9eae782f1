import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { MeshError } from "@migrate/errors";
import { FlowsService } from "@migrate/gen/gateway/v1/gateway_pb";
import { UsageService } from "@migrate/gen/gateway/v1/usage_pb";
import type { Logger } from "@migrate/logger";
import { CONNECT_PATH_PREFIX } from "../connect/create-connect-handler.ts";
import { createRestRouter, type Route } from "../rest/rest-router.ts";
import { sendError } from "../rest/send-json.ts";
import { nameHttpRouteSpan } from "../tracing/http-route-span.ts";
import { logHttpRequest } from "../tracing/request-log.ts";
import type { HttpMetrics } from "./http-metrics.ts";
import { requestIdFrom } from "./request-id.ts";

export interface GatewayServer {
  server: Server;
  /** Stops accepting, lets in-flight requests finish, then cuts what remains after `graceMs`. */
  close(graceMs: number): Promise<void>;
  /** True once `close` has started; `/readyz` reports it so load balancers stop sending. */
  draining(): boolean;
}

const CONNECT_ROUTES = new Set(
  [FlowsService, UsageService].flatMap((service) =>
    service.methods.map((method) => `/${service.typeName}/${method.name}`),
  ),
);

/**
 * One plain `node:http` (HTTP/1.1) server for REST and Connect, so OpenTelemetry's http
 * instrumentation continues an incoming `traceparent` for both; paths under the Connect
 * package prefix go to connect-node, the rest to the REST routes.
 */
export function createGatewayServer(deps: {
  routes: Route[];
  connect: (req: IncomingMessage, res: ServerResponse) => void;
  metrics: HttpMetrics;
  logger: Logger;
}): GatewayServer {
  const match = createRestRouter(deps.routes);
  let draining = false;

  const server = createServer(async (req, res) => {
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? "/", "http://gateway");
    const method = req.method ?? "GET";
    let route = "unmatched";
    res.once("close", () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      deps.metrics.observe({ method, route, status: res.statusCode }, seconds);
      logHttpRequest(deps.logger, { method, route, status: res.statusCode, seconds });
    });
    // A draining server closes each connection after its current answer.
    if (draining) res.setHeader("connection", "close");

    if (url.pathname.startsWith(CONNECT_PATH_PREFIX)) {
      if (CONNECT_ROUTES.has(url.pathname)) route = url.pathname;
      deps.connect(req, res);
      return;
    }

    const requestId = requestIdFrom(req.headers["x-request-id"]);
    res.setHeader("x-request-id", requestId);
    const logger = deps.logger.child({ request_id: requestId });
    const found = match(method, url.pathname);
    try {
      if (found.kind === "not_found") {
        throw new MeshError("NOT_FOUND", `no route for ${method} ${url.pathname}`);
      }
      if (found.kind === "method_not_allowed") {
        route = found.template;
        res.setHeader("allow", found.allowed.join(", "));
        throw new MeshError("INVALID_ARGUMENT", `method ${method} is not allowed; use ${found.allowed.join(" or ")}`);
      }
      route = found.route.template;
      nameHttpRouteSpan(method, route, requestId);
      await found.route.handle({ req, res, url, params: found.params, requestId, logger });
    } catch (error) {
      sendError(req, res, error, logger, found.kind === "method_not_allowed" ? 405 : undefined);
    }
  });
  // Uploads from slow links may take minutes; headers must still arrive promptly.
  server.requestTimeout = 15 * 60_000;
  // An idle keep-alive connection must outlive the clients' and load balancers' own idle
  // timeouts (60 s for most): otherwise a client reuses a connection just as the server closes
  // it, and its upload is reset (seen as EPIPE on an 18 MB upload in the bench). Node also
  // closes an idle connection once headersTimeout passes without a request, so that one must be
  // the longer of the two.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  return {
    server,
    draining: () => draining,
    close: (graceMs) =>
      new Promise<void>((resolve) => {
        draining = true;
        const idle = setInterval(() => server.closeIdleConnections(), 100);
        const cut = setTimeout(() => server.closeAllConnections(), graceMs);
        server.close(() => {
          clearInterval(idle);
          clearTimeout(cut);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
