import type { DescMessage, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import { create } from "@bufbuild/protobuf";
import type { GenService, GenServiceMethods } from "@bufbuild/protobuf/codegenv2";
import * as grpc from "@grpc/grpc-js";
import { grpcStatusFor, isConnectionLost, isMeshError, isUnstorableText, type MeshError } from "@migrate/errors";
import { type Logger, lazyChild } from "@migrate/logger";
import type { Registry } from "@migrate/metrics";
import { errorCodeOf, type RpcSpan, startRpcSpan } from "@migrate/telemetry";
import { context } from "@opentelemetry/api";
import { HealthImplementation } from "grpc-health-check";
import { type DependencyProbe, watchDependencies } from "./dependency-watcher.ts";
import type { MeshCredentials } from "./mesh-credentials.ts";
import { isRelayedError } from "./relayed-error.ts";
import { type RpcObserver, rpcServerMetrics } from "./rpc-server-metrics.ts";
import { grpcServiceDefinition } from "./service-definition.ts";
import type { TenantContext } from "./tenant-context.ts";

export interface CallContext {
  tenant: TenantContext;
  metadata: grpc.Metadata;
  /** Aborted when the caller cancels or its deadline passes. */
  signal: AbortSignal;
  logger: Logger;
}

type In<M> = M extends { input: infer I extends DescMessage } ? MessageShape<I> : never;
type Out<M> = M extends { output: infer O extends DescMessage } ? MessageInitShape<O> : never;

/** The handlers of a service, typed from its generated descriptor. */
export type ServiceImpl<T extends GenServiceMethods> = {
  [K in keyof T]: T[K]["methodKind"] extends "unary"
    ? (request: In<T[K]>, ctx: CallContext) => Promise<Out<T[K]>>
    : T[K]["methodKind"] extends "client_streaming"
      ? (requests: AsyncIterable<In<T[K]>>, ctx: CallContext) => Promise<Out<T[K]>>
      : T[K]["methodKind"] extends "server_streaming"
        ? (request: In<T[K]>, ctx: CallContext) => AsyncIterable<Out<T[K]>>
        : (requests: AsyncIterable<In<T[K]>>, ctx: CallContext) => AsyncIterable<Out<T[K]>>;
};

type AnyCall = grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerReadableStream<unknown, unknown>;

export interface AddServiceOptions {
  /** Verifies the mesh token of every call: the only source of its tenant and roles. */
  credentials: MeshCredentials;
  /** Where `rpc_server_duration_seconds` is registered; omitted, calls are not measured. */
  registry?: Registry;
}

/**
 * Registers `impl` on `server`, requiring tenant context and mapping MeshError to gRPC status.
 * Each call runs in its own server span continuing the caller's `traceparent` (see
 * startRpcSpan), is measured, and ends with one debug line and its code.
 */
export function addService<T extends GenServiceMethods>(
  server: grpc.Server,
  service: GenService<T>,
  impl: ServiceImpl<T>,
  logger: Logger,
  options: AddServiceOptions,
): void {
  const handlers: grpc.UntypedServiceImplementation = {};
  const observe: RpcObserver | undefined = options.registry ? rpcServerMetrics(options.registry) : undefined;
  for (const method of service.methods) {
    const handler = (impl as Record<string, (...args: never[]) => unknown>)[method.localName];
    if (!handler) throw new Error(`${service.typeName}.${method.name} has no handler`);
    const toWire = (value: unknown) => create(method.output, value as MessageInitShape<DescMessage>);
    const prepare = async (call: AnyCall) => {
      const controller = new AbortController();
      call.on("cancelled", () => controller.abort(new Error("cancelled by caller")));
      const tenant = await options.credentials.verify(call.metadata);
      const ctx: CallContext = {
        tenant,
        metadata: call.metadata,
        signal: controller.signal,
        logger: lazyChild(logger, () => ({
          rpc: method.name,
          client_account_id: tenant.clientAccountId,
          request_id: tenant.requestId,
        })),
      };
      return { ctx };
    };
    const finish = (started: bigint, callLogger: Logger, span: RpcSpan, error?: unknown) => {
      const code = error === undefined ? "OK" : errorCodeOf(error);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      observe?.({ rpcService: service.typeName, rpcMethod: method.name, code }, seconds);
      callLogger.debug({ code, duration_ms: Math.round(seconds * 1_000) }, "rpc handled");
      const status = error === undefined ? undefined : toServiceError(error, callLogger, method.name);
      span.end(status?.code ?? grpc.status.OK, error);
      return status;
    };

    if (method.methodKind === "unary" || method.methodKind === "client_streaming") {
      handlers[method.localName] = (call: AnyCall, callback: grpc.sendUnaryData<unknown>) => {
        const started = process.hrtime.bigint();
        // The call's server span, continuing the caller's traceparent; its work runs inside it.
        const span = startRpcSpan("server", service.typeName, method.name, call.metadata);
        context.with(span.context, () => {
          const input = method.methodKind === "unary" ? (call as grpc.ServerUnaryCall<unknown, unknown>).request : call;
          let callLogger = logger;
          prepare(call)
            .then((prepared) => {
              callLogger = prepared.ctx.logger;
              return handler(input as never, prepared.ctx as never);
            })
            .then((result) => {
              const wire = toWire(result);
              finish(started, callLogger, span);
              callback(null, wire);
            })
            .catch((error) => callback(finish(started, callLogger, span, error) ?? null));
        });
      };
    } else {
      // Server streaming gets the one request; bidi streaming the request stream, which the
      // handler reads as it goes while the answers it yields are written back.
      handlers[method.localName] = (
        call: grpc.ServerWritableStream<unknown, unknown> | grpc.ServerDuplexStream<unknown, unknown>,
      ) => {
        const started = process.hrtime.bigint();
        const span = startRpcSpan("server", service.typeName, method.name, call.metadata);
        return context.with(span.context, async () => {
          let prepared: Awaited<ReturnType<typeof prepare>>;
          try {
            prepared = await prepare(call as unknown as AnyCall);
          } catch (error) {
            call.emit("error", finish(started, logger, span, error));
            return;
          }
          // A readable's own iterator destroys it when the handler stops reading early (an error
          // thrown mid-stream), and a destroyed call can no longer send its status.
          const input =
            method.methodKind === "server_streaming"
              ? (call as grpc.ServerWritableStream<unknown, unknown>).request
              : (call as grpc.ServerDuplexStream<unknown, unknown>).iterator({ destroyOnReturn: false });
          try {
            for await (const item of handler(input as never, prepared.ctx as never) as AsyncIterable<unknown>) {
              if (prepared.ctx.signal.aborted) break;
              // One answer at a time: the next is only made once the transport has taken this one
              // (a writable stream would queue 16, and a whole-flow answer is megabytes).
              await new Promise<void>((resolve) => {
                const done = () => {
                  call.off("cancelled", done);
                  resolve();
                };
                call.once("cancelled", done);
                call.write(toWire(item), done);
              });
            }
            finish(started, prepared.ctx.logger, span);
            call.end();
          } catch (error) {
            call.emit("error", finish(started, prepared.ctx.logger, span, error));
          }
        });
      };
    }
  }
  server.addService(grpcServiceDefinition(service), handlers);
}

// Metadata values must be printable ASCII (grpc-js throws otherwise, from inside the call's
// callback, which crashes the process): non-ASCII characters of a user's value travel as JSON escapes.
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * The status a failed call answers with. Logged here, once, only when this service failed
 * (INTERNAL raised here, or a non-MeshError); an INTERNAL relayed from a downstream call was
 * already logged by the service that raised it, under the same trace id.
 */
function toServiceError(error: unknown, logger: Logger, rpc: string): Partial<grpc.StatusObject> {
  const metadata = new grpc.Metadata();
  if (isMeshError(error)) {
    const meshError = error as MeshError;
    metadata.set("x-error-code", meshError.code);
    metadata.set("x-error-details", asciiJson(meshError.details));
    if (meshError.code === "INTERNAL" && !isRelayedError(meshError)) {
      logger.error({ err: meshError.cause ?? meshError, rpc, code: meshError.code }, meshError.message);
    }
    return { code: grpcStatusFor(meshError.code), details: meshError.message, metadata };
  }
  // A lost database connection rolled the call's work back: UNAVAILABLE lets the caller's retry
  // policy send it again, to a new connection (or another replica).
  if (isConnectionLost(error)) {
    logger.warn({ err: error, rpc, code: "UNAVAILABLE" }, "database connection lost during the call");
    metadata.set("x-error-code", "UNAVAILABLE");
    return { code: grpc.status.UNAVAILABLE, details: "database connection lost; retry", metadata };
  }
  // Text the database cannot hold (a NUL byte in any string of the request) is the caller's error.
  if (isUnstorableText(error)) {
    metadata.set("x-error-code", "INVALID_ARGUMENT");
    return {
      code: grpc.status.INVALID_ARGUMENT,
      details: "the request holds text that cannot be stored (a NUL byte or an invalid character)",
      metadata,
    };
  }
  // Not a known failure: logged here, once, and reported without internals.
  logger.error({ err: error, rpc, code: "INTERNAL" }, "unhandled error in handler");
  metadata.set("x-error-code", "INTERNAL");
  return { code: grpc.status.INTERNAL, details: "internal error", metadata };
}

export interface GrpcServerHandle {
  server: grpc.Server;
  port: number;
  health: HealthImplementation;
  /** Marks NOT_SERVING, stops accepting, waits for in-flight calls up to `timeoutMs`, then forces. */
  shutdown(timeoutMs: number): Promise<void>;
}

/**
 * The health service name a liveness probe asks for: SERVING for as long as the process can
 * answer, whatever its dependencies do (restarting a process never fixes its database).
 */
export const LIVENESS_SERVICE = "liveness";

export interface StartGrpcServerOptions {
  /** Loopback unless set: outside Kubernetes nothing beyond this machine should reach the port. */
  host?: string;
  port: number;
  register: (server: grpc.Server) => void;
  serviceNames: string[];
  /**
   * Readiness: while any of these fails (the database, NATS), "" and every named service answer
   * NOT_SERVING, so probes and the gateway's /readyz take this replica out until it recovers.
   */
  probes?: Record<string, DependencyProbe>;
  probeIntervalMs?: number;
  probeTimeoutMs?: number;
  /** Where readiness changes are reported. */
  logger?: Pick<Logger, "warn" | "info">;
  /**
   * Close each connection after about `ms` (GOAWAY, ±10 % jitter by grpc-js) so clients
   * re-resolve and spread over replicas added since (an autoscaler's); calls in flight may take
   * `graceMs` more (0 or unset: no bound). 0 or unset `ms`: connections live for ever.
   */
  maxConnectionAge?: { ms: number; graceMs?: number };
}

/**
 * Starts a server with `grpc.health.v1`: "" and each named service report readiness (SERVING
 * while every probe passes), `liveness` reports only that the process answers.
 */
export async function startGrpcServer(options: StartGrpcServerOptions): Promise<GrpcServerHandle> {
  const server = new grpc.Server({
    // Channelz (per-call statistics for a debugging service the mesh does not serve) is per-call work.
    "grpc.enable_channelz": 0,
    "grpc.keepalive_time_ms": 60_000,
    "grpc.keepalive_timeout_ms": 10_000,
    "grpc.keepalive_permit_without_calls": 1,
    "grpc.http2.min_ping_interval_without_data_ms": 5_000,
    // Whole-flow calls (duplicates, dependencies, applications) carry every asset of a 100,000+ server flow.
    "grpc.max_receive_message_length": 64 * 1024 * 1024,
    ...connectionAgeOptions(options.maxConnectionAge),
  });
  const health = new HealthImplementation({ "": "SERVING", [LIVENESS_SERVICE]: "SERVING" });
  const readinessNames = ["", ...options.serviceNames];
  const setReadiness = (status: "SERVING" | "NOT_SERVING") => {
    for (const name of readinessNames) health.setStatus(name, status);
  };
  setReadiness("SERVING");
  health.addToServer(server);
  options.register(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      `${options.host ?? "127.0.0.1"}:${options.port}`,
      grpc.ServerCredentials.createInsecure(),
      (err, p) => (err ? reject(err) : resolve(p)),
    ),
  );
  let draining = false;
  const watcher =
    options.probes && Object.keys(options.probes).length
      ? watchDependencies({
          probes: options.probes,
          intervalMs: options.probeIntervalMs,
          timeoutMs: options.probeTimeoutMs,
          onChange: (failing) => {
            if (draining) return;
            setReadiness(failing.length ? "NOT_SERVING" : "SERVING");
            if (failing.length) options.logger?.warn({ failing }, "not ready: a dependency is failing");
            else options.logger?.info({}, "ready: every dependency answers again");
          },
        })
      : undefined;
  return {
    server,
    port,
    health,
    shutdown: (timeoutMs) =>
      new Promise<void>((resolve) => {
        draining = true;
        watcher?.stop();
        setReadiness("NOT_SERVING");
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, timeoutMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}

/** grpc-js server options for `StartGrpcServerOptions.maxConnectionAge` (none when off). */
export function connectionAgeOptions(age: StartGrpcServerOptions["maxConnectionAge"]): grpc.ServerOptions {
  if (!age?.ms) return {};
  return {
    "grpc.max_connection_age_ms": age.ms,
    ...(age.graceMs ? { "grpc.max_connection_age_grace_ms": age.graceMs } : {}),
  };
}
