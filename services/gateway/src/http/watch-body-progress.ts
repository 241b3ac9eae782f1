import type { IncomingMessage } from "node:http";

export interface BodyProgressOptions {
  /** Waiting time after which the body must have brought `minBytes`. */
  windowMs: number;
  minBytes: number;
  /** Called once when a window of waiting brought less; the watch then stops. */
  onStall: () => void;
}

/**
 * Watches a request body that is still arriving and calls `onStall` when it trickles: less than
 * `minBytes` in `windowMs` of waiting for it. Only time the gateway is ready to read counts: when
 * the request's buffer is full Node stops reading the socket (the route is waiting on the flow
 * service, say) and the client cannot send, which is not its fault. So an upload that keeps
 * sending, however long, is never cut, and a body at a byte a second is. Returns a function that
 * stops the watch; it also stops when the body is complete or the request closes.
 */
export function watchBodyProgress(req: IncomingMessage, options: BodyProgressOptions): () => void {
  if (req.complete) return () => {};
  const tickMs = Math.max(100, Math.min(1_000, Math.floor(options.windowMs / 4)));
  let lastBytes = req.socket.bytesRead;
  let waitedMs = 0;
  let gained = 0;
  const timer = setInterval(() => {
    if (req.complete || req.destroyed) {
      stop();
      return;
    }
    const bytes = req.socket.bytesRead;
    const waiting = req.readableLength < req.readableHighWaterMark;
    if (waiting) {
      waitedMs += tickMs;
      gained += bytes - lastBytes;
    }
    lastBytes = bytes;
    if (waitedMs < options.windowMs) return;
    if (gained < options.minBytes) {
      stop();
      options.onStall();
      return;
    }
    waitedMs = 0;
    gained = 0;
  }, tickMs);
  timer.unref();
  const stop = () => {
    clearInterval(timer);
    req.off("end", stop);
    req.off("close", stop);
  };
  req.once("end", stop);
  req.once("close", stop);
  return stop;
}
