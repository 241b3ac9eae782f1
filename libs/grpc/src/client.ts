import type { DescMessage, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import { create } from "@bufbuild/protobuf";
import type { GenService, GenServiceMethods } from "@bufbuild/protobuf/codegenv2";
import * as grpc from "@grpc/grpc-js";
import { ERROR_CODES, type ErrorCode, MeshError } from "@migrate/errors";
import { startRpcSpan } from "@migrate/telemetry";
import { MESH_TOKEN_METADATA, type MeshCredentials, REQUEST_ID_METADATA } from "./mesh-credentials.ts";
import { grpcServiceDefinition } from "./service-definition.ts";
import type { TenantContext } from "./tenant-context.ts";

export interface CallOptions {
  /** Required on every tenant-scoped call. */
  tenant?: TenantContext;
  /** Deadline for this call; defaults to the client's. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

type In<M> = M extends { input: infer I extends DescMessage } ? MessageInitShape<I> : never;
type Out<M> = M extends { output: infer O extends DescMessage } ? MessageShape<O> : never;

export type ServiceClient<T extends GenServiceMethods> = {
  [K in keyof T]: T[K]["methodKind"] extends "unary"
    ? (request: In<T[K]>, options: CallOptions) => Promise<Out<T[K]>>
    : T[K]["methodKind"] extends "client_streaming"
      ? (requests: AsyncIterable<In<T[K]>> | Iterable<In<T[K]>>, options: CallOptions) => Promise<Out<T[K]>>
      : T[K]["methodKind"] extends "server_streaming"
        ? (request: In<T[K]>, options: CallOptions) => AsyncIterable<Out<T[K]>>
        : (requests: AsyncIterable<In<T[K]>> | Iterable<In<T[K]>>, options: CallOptions) => AsyncIterable<Out<T[K]>>;
};

export interface ClientHandle<T extends GenServiceMethods> {
  client: ServiceClient<T>;
  channel: grpc.Client;
  close(): void;
}

/**
 * A typed client: round robin over every address a `dns:///` target resolves to, retries on
 * UNAVAILABLE (the call never reached a handler), keepalive, and a deadline on every call.
 */
export function createClient<T extends GenServiceMethods>(
  service: GenService<T>,
  target: string,
  options: {
    defaultTimeoutMs?: number;
    maxAttempts?: number;
    /** Signs the tenant of every call; a call with a tenant on a client without them fails. */
    credentials?: MeshCredentials;
  } = {},
): ClientHandle<T> {
  // 5 attempts (grpc-js's ceiling) back off 0.1 + 0.2 + 0.4 + 0.8 s: longer than the capped
  // reconnect backoff below, so a call made while a restarted server comes back reaches it.
  const maxAttempts = options.maxAttempts ?? 5;
  const serviceConfig = {
    loadBalancingConfig: [{ round_robin: {} }],
    // grpc-js rejects a retry policy of fewer than 2 attempts: no retries means no policy.
    methodConfig:
      maxAttempts < 2
        ? []
        : [
            {
              name: [{ service: service.typeName }],
              retryPolicy: {
                maxAttempts,
                initialBackoff: "0.1s",
                maxBackoff: "1s",
                backoffMultiplier: 2,
                retryableStatusCodes: ["UNAVAILABLE"],
              },
            },
          ],
  };
  const channel = new grpc.Client(target, grpc.credentials.createInsecure(), {
    "grpc.service_config": JSON.stringify(serviceConfig),
    "grpc.enable_retries": 1,
    // Channelz (per-call statistics for a debugging service the mesh does not serve) is per-call work.
    "grpc.enable_channelz": 0,
    "grpc.keepalive_time_ms": 60_000,
    "grpc.keepalive_timeout_ms": 10_000,
    "grpc.keepalive_permit_without_calls": 1,
    // grpc-js waits 1 s, then 1.6 s, 2.6 s... between reconnects to a server that went away, and
    // fails calls fast meanwhile: a service restarted in two seconds stayed unreachable for longer.
    "grpc.initial_reconnect_backoff_ms": 100,
    "grpc.max_reconnect_backoff_ms": 1_000,
    // Whole-flow calls (duplicates, dependencies, applications) carry every asset of a 100,000+ server flow.
    "grpc.max_receive_message_length": 64 * 1024 * 1024,
  });
  const definition = grpcServiceDefinition(service);
  const defaultTimeoutMs = options.defaultTimeoutMs ?? 10_000;
  const client: Record<string, unknown> = {};

  for (const method of service.methods) {
    const def = definition[method.localName];
    if (!def) continue;
    const serialize = (value: unknown) => def.requestSerialize(create(method.input, value as never));
    const deserialize = def.responseDeserialize;
    const setup = async (callOptions: CallOptions) => {
      const metadata = new grpc.Metadata();
      const tenant = callOptions.tenant;
      if (tenant) {
        if (!options.credentials) throw new Error(`${service.typeName} client has no mesh credentials`);
        metadata.set(MESH_TOKEN_METADATA, await options.credentials.sign(tenant));
        if (tenant.requestId) metadata.set(REQUEST_ID_METADATA, tenant.requestId);
      }
      // The call's client span (the parent of the server's), its context sent in the metadata.
      const span = startRpcSpan("client", service.typeName, method.name, metadata);
      return { metadata, span, options: { deadline: Date.now() + (callOptions.timeoutMs ?? defaultTimeoutMs) } };
    };
    /**
     * Cancels the call when `signal` aborts. The returned function must run when the call ends:
     * a long-lived signal (a whole flow's) would otherwise keep every finished call, with its
     * request and response, reachable through its listener until the signal itself is dropped.
     */
    const bindAbort = (call: grpc.ClientUnaryCall | grpc.ClientReadableStream<unknown>, signal?: AbortSignal) => {
      if (!signal) return () => {};
      if (signal.aborted) {
        call.cancel();
        return () => {};
      }
      const cancel = () => call.cancel();
      signal.addEventListener("abort", cancel, { once: true });
      return () => signal.removeEventListener("abort", cancel);
    };

    if (method.methodKind === "unary") {
      client[method.localName] = async (request: unknown, callOptions: CallOptions) => {
        const { metadata, span, options: grpcOptions } = await setup(callOptions);
        return new Promise((resolve, reject) => {
          // grpc-js records the caller's stack on every call (an Error made per call) only to
          // append it to a failure's stack; the mesh turns failures into MeshErrors, which do
          // not keep it, so it is not collected.
          const stackTraceLimit = Error.stackTraceLimit;
          Error.stackTraceLimit = 0;
          let call: grpc.ClientUnaryCall;
          try {
            call = channel.makeUnaryRequest(
              def.path,
              serialize,
              deserialize,
              request,
              metadata,
              grpcOptions,
              (err, res) => {
                unbind();
                const error = err ? toMeshError(err) : undefined;
                span.end(err?.code ?? grpc.status.OK, error);
                error ? reject(error) : resolve(res);
              },
            );
          } finally {
            Error.stackTraceLimit = stackTraceLimit;
          }
          const unbind = bindAbort(call, callOptions.signal);
        });
      };
    } else if (method.methodKind === "client_streaming") {
      client[method.localName] = async (
        requests: AsyncIterable<unknown> | Iterable<unknown>,
        callOptions: CallOptions,
      ) => {
        const { metadata, span, options: grpcOptions } = await setup(callOptions);
        return new Promise((resolve, reject) => {
          let settled = false;
          const call = channel.makeClientStreamRequest(
            def.path,
            serialize,
            deserialize,
            metadata,
            grpcOptions,
            (err, res) => {
              settled = true;
              unbind();
              const error = err ? toMeshError(err) : undefined;
              span.end(err?.code ?? grpc.status.OK, error);
              error ? reject(error) : resolve(res);
            },
          );
          const unbind = bindAbort(call as never, callOptions.signal);
          sendAll(call, requests, () => settled).catch((error) => {
            call.cancel();
            if (!settled) reject(error);
          });
        });
      };
    } else if (method.methodKind === "server_streaming") {
      client[method.localName] = (request: unknown, callOptions: CallOptions) =>
        (async function* () {
          const { metadata, span, options: grpcOptions } = await setup({ timeoutMs: 24 * 3_600_000, ...callOptions });
          const call = channel.makeServerStreamRequest(
            def.path,
            serialize,
            deserialize,
            request,
            metadata,
            grpcOptions,
          );
          const unbind = bindAbort(call, callOptions.signal);
          let failure: { code: number; error: MeshError } | undefined;
          try {
            for await (const item of call) yield item;
          } catch (error) {
            failure = {
              code: (error as grpc.ServiceError).code ?? grpc.status.UNKNOWN,
              error: toMeshError(error as grpc.ServiceError),
            };
            throw failure.error;
          } finally {
            unbind();
            call.cancel();
            span.end(failure?.code ?? grpc.status.OK, failure?.error);
          }
        })();
    } else {
      // Bidi streaming: requests are written one at a time as the caller's iterable yields them,
      // answers are read meanwhile. A failing request iterable cancels the call and is the error
      // the reader sees.
      client[method.localName] = (requests: AsyncIterable<unknown> | Iterable<unknown>, callOptions: CallOptions) =>
        (async function* () {
          const { metadata, span, options: grpcOptions } = await setup(callOptions);
          const call = channel.makeBidiStreamRequest(def.path, serialize, deserialize, metadata, grpcOptions);
          const unbind = bindAbort(call as never, callOptions.signal);
          let writeError: unknown;
          let finished = false;
          let failure: { code: number; error: unknown } | undefined;
          sendAll(call, requests, () => finished).catch((error) => {
            writeError = error;
            call.cancel();
          });
          try {
            for await (const item of call) yield item;
          } catch (error) {
            const code = (error as grpc.ServiceError).code ?? grpc.status.UNKNOWN;
            failure = { code, error: writeError ?? toMeshError(error as grpc.ServiceError) };
            throw failure.error;
          } finally {
            finished = true;
            unbind();
            call.cancel();
            if (writeError && !failure) failure = { code: grpc.status.CANCELLED, error: writeError };
            span.end(failure?.code ?? grpc.status.OK, failure?.error);
          }
          if (writeError) throw writeError;
        })();
    }
  }
  return { client: client as ServiceClient<T>, channel, close: () => channel.close() };
}

type RequestStream = grpc.ClientWritableStream<unknown> | grpc.ClientDuplexStream<unknown, unknown>;

/**
 * Writes every request of a stream, one at a time, then half-closes it; stops early once
 * `ended()` says the call is over. Rejects with the error of the requests' source.
 */
async function sendAll(
  call: RequestStream,
  requests: AsyncIterable<unknown> | Iterable<unknown>,
  ended: () => boolean,
): Promise<void> {
  for await (const request of requests) {
    if (ended()) return;
    await sent(call, request);
  }
  call.end();
}

/**
 * Writes one request and resolves once the transport has taken it, or the call has ended (a
 * writer must not wait for ever). A stream's next request is only read from its source then: a
 * writable stream would otherwise queue up to 16 messages, and the messages of whole-flow calls
 * are megabytes each.
 */
function sent(call: RequestStream, request: unknown) {
  return new Promise<void>((resolve) => {
    const done = () => {
      call.off("status", done);
      resolve();
    };
    call.once("status", done);
    call.write(request, done);
  });
}

/** Turns a gRPC status back into the MeshError the server raised, code and details intact. */
function toMeshError(error: grpc.ServiceError): MeshError {
  const sent = String(error.metadata?.get("x-error-code")[0] ?? "");
  let details = {};
  try {
    details = JSON.parse(String(error.metadata?.get("x-error-details")[0] ?? "{}"));
  } catch {
    // Details are best effort; the code and message still stand.
  }
  if ((ERROR_CODES as readonly string[]).includes(sent)) {
    return new MeshError(sent as ErrorCode, error.details, details, { cause: error });
  }
  const byStatus: Partial<Record<grpc.status, ErrorCode>> = {
    [grpc.status.UNAVAILABLE]: "UNAVAILABLE",
    [grpc.status.DEADLINE_EXCEEDED]: "DEADLINE_EXCEEDED",
    [grpc.status.CANCELLED]: "UNAVAILABLE",
    [grpc.status.UNAUTHENTICATED]: "UNAUTHENTICATED",
    [grpc.status.NOT_FOUND]: "NOT_FOUND",
    [grpc.status.INVALID_ARGUMENT]: "INVALID_ARGUMENT",
  };
  return new MeshError(byStatus[error.code] ?? "INTERNAL", error.details || error.message, {}, { cause: error });
}
