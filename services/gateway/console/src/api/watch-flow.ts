import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { FlowPhase } from "@migrate/gen/common/v1/common_pb";
import { FlowsService } from "@migrate/gen/gateway/v1/gateway_pb";
import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { ApiError } from "./api-error.ts";
import { authorization, reportAuthFailure } from "./http.ts";
import type { Flow, FlowStatus, LiveEvent } from "./types.ts";

const transport = createConnectTransport({
  baseUrl: globalThis.location?.origin ?? "http://localhost",
  interceptors: [
    (next) => (req) => {
      req.header.set("authorization", authorization());
      return next(req);
    },
  ],
});
const flows = createClient(FlowsService, transport);

/** How the console currently learns about a flow. */
export type LiveMode = "connecting" | "live" | "polling" | "ended";

const STATUS_OF_EVENT: Record<string, FlowStatus> = {
  "flow.started": "running",
  "flow.awaiting_input": "awaiting_input",
  "mappings.approved": "running",
  "flow.paused": "paused",
  "flow.resumed": "running",
  "flow.retried": "running",
  "flow.cancelled": "cancelled",
  "flow.failed": "failed",
  "flow.completed": "completed",
};
// Events after which the flow's phases and counts changed enough to read the flow again.
const REFETCH_ON = new Set(["phase.started", "phase.completed", ...Object.keys(STATUS_OF_EVENT)]);
const RETRY_STREAM_MS = 5_000;

export const flowKey = (id: string) => ["flow", id] as const;
export const eventsKey = (id: string) => ["flow-events", id] as const;

function phaseName(phase: FlowPhase): string {
  const name = FlowPhase[phase];
  return name && phase !== FlowPhase.UNSPECIFIED ? name.toLowerCase() : "";
}

function apply(queryClient: QueryClient, flowId: string, event: LiveEvent): void {
  queryClient.setQueryData<LiveEvent[]>(eventsKey(flowId), (old = []) =>
    old.some((e) => e.id === event.id) ? old : [...old, event],
  );
  queryClient.setQueryData<Flow>(flowKey(flowId), (old) =>
    old
      ? {
          ...old,
          progress: event.progress,
          phase: event.phase || old.phase,
          status: STATUS_OF_EVENT[event.type] ?? old.status,
        }
      : old,
  );
  if (REFETCH_ON.has(event.type)) void queryClient.invalidateQueries({ queryKey: flowKey(flowId), exact: true });
}

/**
 * Reads `WatchFlow` (a server stream over connect-web) into the query cache: each event updates
 * the flow's progress, phase and status at once and adds to its event list (the history first,
 * then live; the stream ends after a terminal event). When it breaks, the flow query polls
 * instead (`mode` "polling") while the stream is tried again, resuming after the last event seen.
 */
export function useLiveFlow(flowId: string): LiveMode {
  const queryClient = useQueryClient();
  const [mode, setMode] = useState<LiveMode>("connecting");

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      const seen = queryClient.getQueryData<LiveEvent[]>(eventsKey(flowId)) ?? [];
      try {
        const stream = flows.watchFlow({ flowId, afterEventId: seen.at(-1)?.id ?? "" }, { signal: controller.signal });
        setMode("live");
        for await (const { event } of stream) {
          if (!event) continue;
          let payload: Record<string, unknown> = {};
          try {
            payload = JSON.parse(event.payloadJson || "{}") as Record<string, unknown>;
          } catch {}
          apply(queryClient, flowId, {
            id: event.eventId,
            type: event.type,
            phase: phaseName(event.phase),
            progress: event.progress,
            occurredAt: event.occurredAt,
            payload,
          });
        }
        // The stream ends after a terminal event.
        setMode("ended");
        void queryClient.invalidateQueries({ queryKey: flowKey(flowId), exact: true });
      } catch (error) {
        if (controller.signal.aborted) return;
        const connect = ConnectError.from(error);
        if (connect.code === Code.Unauthenticated) {
          reportAuthFailure(new ApiError(401, "UNAUTHENTICATED", connect.rawMessage));
          return;
        }
        if (connect.code === Code.NotFound) {
          setMode("ended");
          return;
        }
        setMode("polling");
        timer = setTimeout(run, RETRY_STREAM_MS);
      }
    };
    void run();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [flowId, queryClient]);

  return mode;
}
