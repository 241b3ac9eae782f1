/**
 * Follows a flow's live events to its end, showing progress, and (when asked) answers the
 * mapping review as it comes up; reconnects after a dropped stream from the last event seen.
 */
import { type FlowJson, type GatewayClient, GatewayError } from "./gateway-client.ts";
import { formatMappings } from "./print-report.ts";
import { createProgressView } from "./progress-view.ts";

export interface WatchResult {
  flow: FlowJson;
  /** The mappings approved on the way, when this watch approved them. */
  approved?: Array<{ source: string; target: string; confidence: number }>;
}

const TERMINAL = new Set(["flow.completed", "flow.failed", "flow.cancelled"]);

export async function watchFlow(
  client: GatewayClient,
  flowId: string,
  options: { approve: boolean; out?: NodeJS.WritableStream & { isTTY?: boolean }; log?: (text: string) => void },
): Promise<WatchResult> {
  const out = options.out ?? process.stdout;
  const view = createProgressView(out);
  const result: Partial<WatchResult> = {};
  let lastEventId: string | undefined;
  let ended = false;
  for (let attempt = 0; !ended; attempt++) {
    try {
      for await (const event of client.events(flowId, { after: lastEventId })) {
        lastEventId = event.event_id;
        view.event(event);
        if (TERMINAL.has(event.type)) ended = true;
        if (event.type === "flow.awaiting_input") await review(client, flowId, options.approve, view, result);
      }
      // The gateway ends the stream after a terminal event; an early end is a dropped connection.
      if (!ended && attempt >= 5) throw new Error("the event stream keeps ending before the flow does");
    } catch (error) {
      if (!retryable(error) || attempt >= 5) {
        view.done();
        throw error;
      }
    }
    if (!ended) await new Promise((resolve) => setTimeout(resolve, 500 * (attempt + 1)));
  }
  view.done();
  return { ...result, flow: await client.getFlow(flowId) };
}

async function review(
  client: GatewayClient,
  flowId: string,
  approve: boolean,
  view: ReturnType<typeof createProgressView>,
  result: Partial<WatchResult>,
): Promise<void> {
  const suggested = await client.getMappings(flowId);
  // A replayed event of a review already answered: nothing to do.
  if (!suggested.awaiting_approval) return;
  if (!approve) {
    view.line("  Suggested mappings:");
    view.line(formatMappings(suggested.mappings));
    view.line(`  Waiting: approve with \`npm run cli -- approve ${flowId} [--correct "Source=target"]\``);
    return;
  }
  try {
    const approved = await client.approveMappings(flowId);
    result.approved = approved.mappings;
    view.line(`  Approved ${approved.mappings.length} mappings:`);
    view.line(formatMappings(approved.mappings));
  } catch (error) {
    // Someone else answered first: the flow goes on either way.
    if (!(error instanceof GatewayError && error.status === 409)) throw error;
  }
}

/** A dropped connection or a gateway restarting: worth resuming from the last event. */
function retryable(error: unknown): boolean {
  if (error instanceof GatewayError) return error.status === 0 || error.status === 503 || error.code === "UNAVAILABLE";
  // fetch reports a body cut mid-stream as a TypeError ("terminated").
  return error instanceof TypeError;
}
