import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { MeshError } from "@migrate/errors";
import { FlowsService } from "@migrate/gen/gateway/v1/gateway_pb";
import { LearningService } from "@migrate/gen/gateway/v1/learning_pb";
import { UsageService } from "@migrate/gen/gateway/v1/usage_pb";
import { type Logger, lazyChild } from "@migrate/logger";
import { inHttpServerSpan } from "@migrate/telemetry";
import { CONNECT_PATH_PREFIX } from "../connect/create-connect-handler.ts";
import { createRestRouter, type Route } from "../rest/rest-router.ts";
import { sendError } from "../rest/send-json.ts";
import { nameHttpRouteSpan } from "../tracing/http-route-span.ts";
import { logHttpRequest } from "../tracing/request-log.ts";
import { handleClientError } from "./client-error.ts";
import type { HttpMetrics } from "./http-metrics.ts";
import { requestIdFrom } from "./request-id.ts";
import { parseRequestTarget } from "./request-target.ts";
import { applySecurityHeaders } from "./security-headers.ts";
import type { ConsoleHandler } from "./serve-console.ts";
import { watchBodyProgress } from "./watch-body-progress.ts";

export interface GatewayServer {
  server: Server;
  /**
   * The first step of a shutdown: from now on `/readyz` reports not ready and every answer
   * carries `Connection: close`, while requests are still accepted and answered for `ms`, so
   * load balancers take the instance out before it stops listening.
   */
  drain(ms: number): Promise<void>;
  /** Stops accepting, lets in-flight requests finish, then cuts what remains after `graceMs`. */
  close(graceMs: number): Promise<void>;
  /** True once `drain` (or `close`) has started; `/readyz` reports it so load balancers stop sending. */
  draining(): boolean;
}

export interface HttpLimits {
  /** Time for the request line and headers. */
  headersTimeoutMs: number;
  /** Time for a whole request, body included (not the response). */
  requestTimeoutMs: number;
  /** A body must bring `bodyMinBytes` per `bodyTimeoutMs` of waiting for it. */
  bodyTimeoutMs: number;
  bodyMinBytes: number;
}

const UNTRACED_PATHS = new Set(["/healthz", "/readyz"]);

// Node's default; named because the 431 answer quotes it.
const MAX_HEADER_BYTES = 16 * 1024;

const CONNECT_ROUTES = new Set(
  [FlowsService, UsageService, LearningService].flatMap((service) =>
    service.methods.map((method) => `/${service.typeName}/${method.name}`),
  ),
);

/**
 * One plain `node:http` (HTTP/1.1) server for REST and Connect, each request in one server span
 * that continues an incoming `traceparent` (probes excepted); paths under the Connect
 * package prefix go to connect-node, the rest to the REST routes. No request can take the
 * process down: parsing the target, the path and the body happens inside the handler's error
 * path (400/413/415/431 in the JSON error shape), requests Node cannot parse are answered by the
 * `clientError` listener, and anything unforeseen is logged and answered 500 for that request.
 */
export function createGatewayServer(deps: {
  routes: Route[];
  connect: (req: IncomingMessage, res: ServerResponse) => void;
  metrics: HttpMetrics;
  logger: Logger;
  limits?: Partial<HttpLimits>;
  /** The web console's static files, for GET/HEAD of paths no API route takes. */
  console?: ConsoleHandler;
}): GatewayServer {
  const limits: HttpLimits = {
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 15 * 60_000,
    bodyTimeoutMs: 10_000,
    bodyMinBytes: 1_024,
    ...deps.limits,
  };
  const match = createRestRouter(deps.routes);
  let draining = false;
  // Sockets whose request a handler is answering: a late parser error must not write over it.
  const busy = new WeakSet<Socket>();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const started = process.hrtime.bigint();
    const method = req.method ?? "GET";
    let route = "unmatched";
    busy.add(req.socket);
    res.once("close", () => {
      busy.delete(req.socket);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      deps.metrics.observe({ method, route, status: res.statusCode }, seconds);
      logHttpRequest(deps.logger, { method, route, status: res.statusCode, seconds });
    });
    // A stream's `error` without a listener is thrown by Node: a client that vanishes
    // mid-request must only end that request.
    req.on("error", (error) => deps.logger.debug({ err: error }, "request stream failed"));
    res.on("error", (error) => deps.logger.debug({ err: error }, "response stream failed"));
    applySecurityHeaders(res);
    // A draining server closes each connection after its current answer.
    if (draining) res.setHeader("connection", "close");
    watchBody(req, res);

    const requestId = requestIdFrom(req.headers["x-request-id"]);
    res.setHeader("x-request-id", requestId);
    // Connect's interceptor reads the id from the request: it must find the same one.
    req.headers["x-request-id"] = requestId;
    const logger = lazyChild(deps.logger, () => ({ request_id: requestId }));
    let status: number | undefined;
    try {
      const url = parseRequestTarget(req.url);
      if (url.pathname.startsWith(CONNECT_PATH_PREFIX)) {
        if (CONNECT_ROUTES.has(url.pathname)) route = url.pathname;
        requireAuthority(req);
        deps.connect(req, res);
        return;
      }
      const found = match(method, url.pathname);
      if (found.kind === "not_found") {
        if (deps.console && (await deps.console(req, res, url))) {
          route = "console";
          return;
        }
        throw new MeshError("NOT_FOUND", `no route for ${method} ${url.pathname.slice(0, 200)}`);
      }
      if (found.kind === "method_not_allowed") {
        route = found.template;
        status = 405;
        res.setHeader("allow", found.allowed.join(", "));
        throw new MeshError("INVALID_ARGUMENT", `method ${method} is not allowed; use ${found.allowed.join(" or ")}`);
      }
      route = found.route.template;
      nameHttpRouteSpan(method, route, requestId);
      await found.route.handle({ req, res, url, params: found.params, requestId, logger });
    } catch (error) {
      sendError(req, res, error, logger, status);
    }
  };

  /** A body that trickles is answered 408 and its connection closed (see watchBodyProgress). */
  const watchBody = (req: IncomingMessage, res: ServerResponse) => {
    const declared = req.headers["content-length"];
    const hasBody = req.headers["transfer-encoding"] !== undefined || (declared !== undefined && declared !== "0");
    if (!hasBody) return;
    watchBodyProgress(req, {
      windowMs: limits.bodyTimeoutMs,
      minBytes: limits.bodyMinBytes,
      onStall: () => {
        deps.logger.info({ method: req.method }, "request body stalled; answering 408");
        if (res.headersSent) {
          req.socket.destroy();
          return;
        }
        // The handler still waits for the body: answering and closing ends its read too.
        res.setHeader("connection", "close");
        const stalled = new MeshError(
          "DEADLINE_EXCEEDED",
          `the request body stalled: less than ${limits.bodyMinBytes} bytes arrived in ${limits.bodyTimeoutMs} ms`,
          { limit: limits.bodyMinBytes, timeout_ms: limits.bodyTimeoutMs },
        );
        sendError(req, res, stalled, deps.logger, 408);
      },
    });
  };

  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Node checks both timeouts only this often (30 s by default), which would let a slow
      // client keep its connection long past headersTimeout.
      connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
      maxHeaderSize: MAX_HEADER_BYTES,
      // An idle keep-alive connection must outlive the clients' and load balancers' own idle
      // timeouts (60 s for most): otherwise a client reuses a connection just as the server
      // closes it, and its upload is reset (seen as EPIPE on an 18 MB upload in the bench).
      // Only after a first request: a connection that never sends one is bound by headersTimeout.
      keepAliveTimeout: 65_000,
    },
    (req, res) => {
      // The last resort: whatever escapes the handler's own error path fails this request only.
      const run = () =>
        void handle(req, res).catch((error) => {
          try {
            deps.logger.error({ err: error, method: req.method }, "request handler failed");
            sendError(req, res, error, deps.logger);
          } catch {
            res.destroy();
          }
        });
      // Probes would otherwise be most of the traces.
      if (UNTRACED_PATHS.has(req.url ?? "")) run();
      else inHttpServerSpan(req, res, run);
    },
  );
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) =>
    handleClientError(error, socket, {
      logger: deps.logger,
      maxHeaderBytes: MAX_HEADER_BYTES,
      busy: (candidate) => busy.has(candidate),
    }),
  );

  let drainStarted: Promise<void> | undefined;
  return {
    server,
    draining: () => draining,
    drain: (ms) => {
      draining = true;
      drainStarted ??= new Promise((resolve) => setTimeout(resolve, ms));
      return drainStarted;
    },
    close: (graceMs) =>
      new Promise<void>((resolve) => {
        draining = true;
        // Connections idle now carry no request: closing them resets nobody. One that is in
        // the middle of a request closes once its answer (with `Connection: close`) is sent.
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

/** connect-node builds the request URL from `Host` and throws on a missing or unusable one. */
function requireAuthority(req: IncomingMessage): void {
  const host = req.headers.host;
  if (!host || !URL.canParse(`http://${host}`)) {
    throw new MeshError("INVALID_ARGUMENT", "missing or malformed Host header", { field: "host" });
  }
}
