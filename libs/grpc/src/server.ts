import type { DescMessage, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import { create } from "@bufbuild/protobuf";
import type { GenService, GenServiceMethods } from "@bufbuild/protobuf/codegenv2";
import * as grpc from "@grpc/grpc-js";
import { grpcStatusFor, isMeshError, type MeshError } from "@migrate/errors";
import { extractGrpcMetadata } from "@migrate/telemetry";
import { context } from "@opentelemetry/api";
import { HealthImplementation } from "grpc-health-check";
import type { Logger } from "pino";
import { grpcServiceDefinition } from "./service-definition.ts";
import { type TenantContext, tenantFromMetadata } from "./tenant-context.ts";

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
        : never;
};

type AnyCall = grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerReadableStream<unknown, unknown>;

/** Registers `impl` on `server`, requiring tenant context and mapping MeshError to gRPC status. */
export function addService<T extends GenServiceMethods>(
  server: grpc.Server,
  service: GenService<T>,
  impl: ServiceImpl<T>,
  logger: Logger,
): void {
  const handlers: grpc.UntypedServiceImplementation = {};
  for (const method of service.methods) {
    const handler = (impl as Record<string, (...args: never[]) => unknown>)[method.localName];
    if (!handler) throw new Error(`${service.typeName}.${method.name} has no handler`);
    const toWire = (value: unknown) => create(method.output, value as MessageInitShape<DescMessage>);
    const prepare = (call: AnyCall) => {
      const controller = new AbortController();
      call.on("cancelled", () => controller.abort(new Error("cancelled by caller")));
      const tenant = tenantFromMetadata(call.metadata);
      const ctx: CallContext = {
        tenant,
        metadata: call.metadata,
        signal: controller.signal,
        logger: logger.child({
          rpc: method.name,
          client_account_id: tenant.clientAccountId,
          request_id: tenant.requestId,
        }),
      };
      return { ctx, otel: extractGrpcMetadata(call.metadata) };
    };
    const fail = (error: unknown, ctxLogger: Logger) => toServiceError(error, ctxLogger, method.name);

    if (method.methodKind === "unary" || method.methodKind === "client_streaming") {
      handlers[method.localName] = (call: AnyCall, callback: grpc.sendUnaryData<unknown>) => {
        let prepared: ReturnType<typeof prepare>;
        try {
          prepared = prepare(call);
        } catch (error) {
          callback(fail(error, logger));
          return;
        }
        const input = method.methodKind === "unary" ? (call as grpc.ServerUnaryCall<unknown, unknown>).request : call;
        context
          .with(prepared.otel, () => Promise.resolve(handler(input as never, prepared.ctx as never)))
          .then((result) => callback(null, toWire(result)))
          .catch((error) => callback(fail(error, prepared.ctx.logger)));
      };
    } else if (method.methodKind === "server_streaming") {
      handlers[method.localName] = async (call: grpc.ServerWritableStream<unknown, unknown>) => {
        let prepared: ReturnType<typeof prepare>;
        try {
          prepared = prepare(call as unknown as AnyCall);
        } catch (error) {
          call.emit("error", fail(error, logger));
          return;
        }
        try {
          await context.with(prepared.otel, async () => {
            for await (const item of handler(call.request as never, prepared.ctx as never) as AsyncIterable<unknown>) {
              if (prepared.ctx.signal.aborted) return;
              if (!call.write(toWire(item))) await new Promise((resolve) => call.once("drain", resolve));
            }
          });
          call.end();
        } catch (error) {
          call.emit("error", fail(error, prepared.ctx.logger));
        }
      };
    } else {
      throw new Error(`${service.typeName}.${method.name}: bidi streaming is not supported`);
    }
  }
  server.addService(grpcServiceDefinition(service), handlers);
}

function toServiceError(error: unknown, logger: Logger, rpc: string): Partial<grpc.StatusObject> {
  const metadata = new grpc.Metadata();
  if (isMeshError(error)) {
    const meshError = error as MeshError;
    metadata.set("x-error-code", meshError.code);
    metadata.set("x-error-details", JSON.stringify(meshError.details));
    if (meshError.code === "INTERNAL") logger.error({ err: meshError.cause ?? meshError, rpc }, meshError.message);
    return { code: grpcStatusFor(meshError.code), details: meshError.message, metadata };
  }
  // Not a known failure: logged here, once, and reported without internals.
  logger.error({ err: error, rpc }, "unhandled error in handler");
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

/** Starts a server with `grpc.health.v1` answering SERVING for "" and each named service. */
export async function startGrpcServer(options: {
  host?: string;
  port: number;
  register: (server: grpc.Server) => void;
  serviceNames: string[];
}): Promise<GrpcServerHandle> {
  const server = new grpc.Server({
    "grpc.keepalive_time_ms": 60_000,
    "grpc.keepalive_timeout_ms": 10_000,
    "grpc.keepalive_permit_without_calls": 1,
    "grpc.http2.min_ping_interval_without_data_ms": 5_000,
    "grpc.max_receive_message_length": 16 * 1024 * 1024,
  });
  const health = new HealthImplementation({ "": "SERVING" });
  for (const name of options.serviceNames) health.setStatus(name, "SERVING");
  health.addToServer(server);
  options.register(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      `${options.host ?? "0.0.0.0"}:${options.port}`,
      grpc.ServerCredentials.createInsecure(),
      (err, p) => (err ? reject(err) : resolve(p)),
    ),
  );
  return {
    server,
    port,
    health,
    shutdown: (timeoutMs) =>
      new Promise<void>((resolve) => {
        health.setStatus("", "NOT_SERVING");
        for (const name of options.serviceNames) health.setStatus(name, "NOT_SERVING");
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
