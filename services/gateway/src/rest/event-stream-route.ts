import type { ServerResponse } from "node:http";
import { isMeshError, MeshError } from "@migrate/errors";
import type { FlowEventEnvelope } from "@migrate/events";
import type { FlowEventFeed } from "../flows/flow-event-feed.ts";
import { oncePerEvent } from "../flows/once-per-event.ts";
import { booleanParam, requireFlowId } from "../flows/result-params.ts";
import { type Authenticate, abortWhenClientGone, headerValue } from "./authenticate.ts";
import type { Route } from "./rest-router.ts";

/**
 * `GET /v1/flows/{id}/events`: the flow's events as server-sent events (`id`, `event` = type,
 * `data` = the JSON envelope), history first, then live. Resumes after `Last-Event-ID` (or
 * `?after=`), sends a comment every `heartbeatMs`, and ends after a terminal event unless
 * `?follow=true`.
 *
 * A slow client holds up nobody: the stream writes an event only once the socket took the last
 * one (its buffer is at most Node's high-water mark, 16 KiB, plus one frame; the events it has
 * not taken yet stay in the flow's shared log, not in a buffer of its own), skips heartbeats
 * while the buffer is full, and a client that takes nothing for `stallMs` is disconnected: as
 * any dropped stream, it reconnects with `Last-Event-ID` and loses nothing.
 */
export function eventStreamRoute(deps: {
  feed: FlowEventFeed;
  authenticate: Authenticate;
  heartbeatMs: number;
  /** How long a client may take nothing before it is disconnected (default 60 s). */
  stallMs?: number;
}): Route {
  const stallMs = deps.stallMs ?? 60_000;
  return {
    method: "GET",
    template: "/v1/flows/{id}/events",
    async handle(ctx) {
      const tenant = await deps.authenticate(ctx);
      const flowId = requireFlowId(ctx.params.id);
      const query = ctx.url.searchParams;
      const follow = booleanParam("follow", query.get("follow"), false);
      const afterEventId = headerValue(ctx.req, "last-event-id") || query.get("after") || undefined;
      if (afterEventId && afterEventId.length > 200) {
        throw new MeshError("INVALID_ARGUMENT", "the event id to resume after is too long", { field: "after" });
      }
      const signal = abortWhenClientGone(ctx.req, ctx.res);
      // Not found, another tenant's flow and an unknown resume point are answered before the stream opens.
      const events = await deps.feed.watch({ tenant, flowId, afterEventId, follow, signal });
      const { res } = ctx;
      res.writeHead(200, {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        // Proxies such as nginx would otherwise hold events back in their buffers.
        "x-accel-buffering": "no",
      });
      res.write("retry: 3000\n\n");
      const heartbeat = setInterval(() => {
        if (!res.writableNeedDrain) res.write(": heartbeat\n\n");
      }, deps.heartbeatMs);
      try {
        for await (const event of events) {
          if (res.write(oncePerEvent(event, sseFrame))) continue;
          if (!(await drained(res, stallMs))) {
            ctx.logger.info(
              { flow_id: flowId, stall_ms: stallMs },
              "disconnecting an event stream client that takes nothing",
            );
            res.destroy();
            break;
          }
        }
      } catch (error) {
        if (!signal.aborted) {
          const body = isMeshError(error)
            ? error.toJSON()
            : { code: "INTERNAL", message: "internal error", details: {} };
          if (!isMeshError(error)) ctx.logger.error({ err: error, flow_id: flowId }, "flow event stream failed");
          res.write(`event: error\ndata: ${JSON.stringify({ error: body })}\n\n`);
        }
      } finally {
        clearInterval(heartbeat);
        if (!res.destroyed) res.end();
      }
    },
  };
}

/** One event in the text/event-stream format; the JSON holds no raw newlines, so one data line. */
export function sseFrame(event: FlowEventEnvelope): string {
  return `id: ${event.event_id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** Whether the response drained (or closed) within `ms`. */
function drained(res: ServerResponse, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (result: boolean) => () => {
      clearTimeout(timer);
      res.off("drain", onDrain);
      res.off("close", onDrain);
      resolve(result);
    };
    const onDrain = done(true);
    const timer = setTimeout(done(false), ms);
    res.once("drain", onDrain);
    res.once("close", onDrain);
  });
}
