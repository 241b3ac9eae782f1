import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { decodeOtlpTraces, type ReceivedSpan } from "./decode-otlp-traces.ts";

export interface OtlpReceiver {
  /** The base URL to give as OTEL_EXPORTER_OTLP_ENDPOINT (exporters append /v1/traces). */
  url: string;
  /** Every span received so far (empty when started with `decode: false`). */
  spans: ReceivedSpan[];
  /** Export requests answered, and spans counted (decoded or not). */
  stats: { requests: number; bytes: number };
  /** Starts or stops decoding what arrives (a benchmark decodes only in its counting window). */
  setDecode(on: boolean): void;
  /** Resolves with the spans once `done(spans)` holds; rejects after `timeoutMs`. */
  waitFor(done: (spans: ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

/**
 * A loopback OTLP/HTTP trace receiver (`POST /v1/traces`, http/protobuf), standing in for
 * Jaeger or a collector in tests and benchmarks. It answers every export with an empty
 * ExportTraceServiceResponse, so exporters never retry.
 */
export async function startOtlpReceiver(options: { decode?: boolean; host?: string } = {}): Promise<OtlpReceiver> {
  let decode = options.decode ?? true;
  const spans: ReceivedSpan[] = [];
  const stats = { requests: 0, bytes: 0 };
  const waiters = new Set<() => void>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/v1/traces") {
        res.writeHead(404).end();
        return;
      }
      const body = Buffer.concat(chunks);
      stats.requests++;
      stats.bytes += body.length;
      if (decode) {
        if (!String(req.headers["content-type"]).includes("protobuf")) {
          res.writeHead(415).end("only http/protobuf is decoded here");
          return;
        }
        spans.push(...decodeOtlpTraces(body));
        for (const wake of waiters) wake();
      }
      res.writeHead(200, { "content-type": "application/x-protobuf" }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, options.host ?? "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    stats,
    setDecode: (on) => {
      decode = on;
    },
    waitFor: (done, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!done(spans)) return;
          cleanup();
          resolve(spans);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`OTLP receiver: condition not met within ${timeoutMs} ms (${spans.length} spans received)`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
