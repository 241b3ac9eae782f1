import type { Instrumentation } from "@opentelemetry/instrumentation";
import { GrpcInstrumentation } from "@opentelemetry/instrumentation-grpc";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { IORedisInstrumentation } from "@opentelemetry/instrumentation-ioredis";
import { PgInstrumentation } from "@opentelemetry/instrumentation-pg";
import { PinoInstrumentation } from "@opentelemetry/instrumentation-pino";

/** The instrumentations every service runs: the hops the mesh is made of. */
export function getNodeAutoInstrumentations(): Instrumentation[] {
  return [
    new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => req.url === "/metrics" || req.url === "/healthz" }),
    new GrpcInstrumentation({ ignoreGrpcMethods: ["Check", "Watch"] }),
    new PgInstrumentation({ requireParentSpan: true }),
    new IORedisInstrumentation({ requireParentSpan: true }),
    // trace ids are added by the logger's own mixin; the instrumentation only forwards nothing extra.
    new PinoInstrumentation({ disableLogSending: true, disableLogCorrelation: true }),
  ];
}
