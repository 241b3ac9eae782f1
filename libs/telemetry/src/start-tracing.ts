import {
  defaultResource,
  envDetector,
  hostDetector,
  processDetector,
  resourceFromAttributes,
} from "@opentelemetry/resources";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { UnpatchedEmitterContextManager } from "./context-manager.ts";
import { getNodeAutoInstrumentations } from "./instrumentations.ts";
import { serviceResourceAttributes } from "./service-resource.ts";

const SHUTDOWN_BOUND_MS = 2_000;

/**
 * Starts the NodeSDK from the standard OTEL_* variables (exporter, protocol, endpoint, sampler,
 * batch processor); metrics and logs go to Prometheus and stdout instead. The resource names the
 * service from its main module unless OTEL_SERVICE_NAME says otherwise.
 */
export function startTracing(mainPath: string | undefined = process.argv[1]): void {
  process.env.OTEL_METRICS_EXPORTER ??= "none";
  process.env.OTEL_LOGS_EXPORTER ??= "none";
  process.env.OTEL_EXPORTER_OTLP_PROTOCOL ??= "http/protobuf";
  process.env.OTEL_TRACES_SAMPLER ??= "parentbased_traceidratio";
  process.env.OTEL_TRACES_SAMPLER_ARG ??= "1";
  // The mesh carries no baggage: W3C trace context alone saves a header parse on every hop.
  process.env.OTEL_PROPAGATORS ??= "tracecontext";
  const sdk = new NodeSDK({
    resource: defaultResource().merge(resourceFromAttributes(serviceResourceAttributes(mainPath))),
    // The environment detector last, so OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override.
    resourceDetectors: [hostDetector, processDetector, envDetector],
    instrumentations: getNodeAutoInstrumentations(),
    contextManager: new UnpatchedEmitterContextManager(),
  });
  sdk.start();
  // sdk.shutdown() can hang for seconds when the collector is gone: bound it.
  const stop = () =>
    Promise.race([sdk.shutdown(), new Promise((resolve) => setTimeout(resolve, SHUTDOWN_BOUND_MS).unref())]);
  process.once("beforeExit", () => void stop());
  (globalThis as { __migrateStopTracing?: () => Promise<unknown> }).__migrateStopTracing = stop;
}
