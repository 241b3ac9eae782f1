import type { ServerResponse } from "node:http";
import { isMeshError, MeshError } from "@migrate/errors";
import type { FlowEventEnvelope } from "@migrate/events";
import type { FlowEventFeed } from "../flows/flow-event-feed.ts";
import { booleanParam, requireFlowId } from "../flows/result-params.ts";
import { type Authenticate, abortWhenClientGone, headerValue } from "./authenticate.ts";
import type { Route } from "./rest-router.ts";

/**
 * `GET /v1/flows/{id}/events`: the flow's events as server-sent events (`id`, `event` = type,
 * `data` = the JSON envelope), history first, then live. Resumes after `Last-Event-ID` (or
 * `?after=`), sends a comment every `heartbeatMs`, and ends after a terminal event unless
 * `?follow=true`.
 */
export function eventStreamRoute(deps: {
  feed: FlowEventFeed;
  authenticate: Authenticate;
  heartbeatMs: number;
}): Route {
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
      const heartbeat = setInterval(() => res.write(": heartbeat\n\n"), deps.heartbeatMs);
      try {
        for await (const event of events) {
          if (!res.write(sseFrame(event))) await drained(res);
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
        res.end();
      }
    },
  };
}

/** One event in the text/event-stream format; the JSON holds no raw newlines, so one data line. */
export function sseFrame(event: FlowEventEnvelope): string {
  return `id: ${event.event_id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.once("drain", done);
    res.once("close", done);
  });
}
