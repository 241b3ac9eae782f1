import { ConnectError, type Interceptor } from "@connectrpc/connect";
import { errorCodeOf, inServerSpan } from "@migrate/telemetry";

/**
 * Outermost Connect interceptor: the call's server span is named `<service>/<method>` with the
 * `rpc.*` attributes, and a failure is recorded on it with its mesh code. On the gateway's
 * HTTP/1.1 server the http instrumentation has already continued the caller's `traceparent`;
 * where it has not (an http2 server), the span is started here from the request's headers.
 */
export function tracingInterceptor(): Interceptor {
  return (next) => (req) =>
    inServerSpan(
      {
        name: `${req.service.typeName}/${req.method.name}`,
        attributes: { "rpc.system": "connect_rpc", "rpc.service": req.service.typeName, "rpc.method": req.method.name },
        headers: req.header,
        errorCode: meshCodeOf,
      },
      () => next(req),
    );
}

/** The mesh code a failed call answers with (errorInterceptor puts it in `x-error-code`). */
function meshCodeOf(error: unknown): string {
  if (error instanceof ConnectError) return error.metadata.get("x-error-code") ?? "INTERNAL";
  return errorCodeOf(error);
}
