/**
 * Shows a flow's progress from its events: one updating bar on a terminal, one line per phase
 * elsewhere (CI logs, pipes), where carriage returns would only make noise.
 */
import type { FlowEvent } from "./gateway-client.ts";

export interface ProgressView {
  /** Updates the view with the next event. */
  event(event: FlowEvent): void;
  /** Prints a line of its own (clearing the bar first on a terminal). */
  line(text: string): void;
  /** Ends the bar's line. */
  done(): void;
}

const WIDTH = 30;

export function createProgressView(out: NodeJS.WritableStream & { isTTY?: boolean }): ProgressView {
  const tty = Boolean(out.isTTY);
  const phaseStarted = new Map<string, number>();
  let progress = 0;
  let phase = "";
  let detail = "";
  let barShown = false;

  const render = () => {
    const filled = Math.round((progress / 100) * WIDTH);
    const bar = `${"█".repeat(filled)}${"░".repeat(WIDTH - filled)}`;
    out.write(`\r  ${bar} ${String(progress).padStart(3)}%  ${phase.replaceAll("_", " ")}${detail}\x1b[K`);
    barShown = true;
  };
  const clear = () => {
    if (tty && barShown) out.write("\r\x1b[K");
    barShown = false;
  };
  const line = (text: string) => {
    clear();
    out.write(`${text}\n`);
    if (tty && progress > 0 && progress < 100) render();
  };

  return {
    line,
    event(event) {
      const payload = event.payload ?? {};
      const eventPhase = String(payload.phase ?? event.phase ?? "");
      progress = Math.max(progress, Math.min(100, Number(event.progress) || 0));
      if (eventPhase && eventPhase !== phase) {
        phase = eventPhase;
        detail = "";
      }
      switch (event.type) {
        case "phase.started":
          phaseStarted.set(eventPhase, Date.parse(event.occurred_at));
          detail = "";
          break;
        case "phase.progress":
          detail = payload.total ? `  ${fmt(Number(payload.processed))}/${fmt(Number(payload.total))}` : "";
          break;
        case "phase.completed": {
          detail = "";
          if (!tty) {
            const started = phaseStarted.get(eventPhase);
            const took = started ? `${((Date.parse(event.occurred_at) - started) / 1000).toFixed(2)} s` : "";
            const counts = Object.entries((payload.counts as Record<string, unknown>) ?? {})
              .map(([key, value]) => `${key.replaceAll("_", " ")} ${fmt(Number(value))}`)
              .join(", ");
            const status = payload.status === "skipped" ? `skipped: ${payload.reason ?? ""}` : counts;
            out.write(
              `  ✓ ${eventPhase.replaceAll("_", " ").padEnd(24)} ${String(progress).padStart(3)}%  ${took.padEnd(8)} ${status}\n`,
            );
          }
          break;
        }
        case "flow.awaiting_input":
          line(`  … waiting for input: ${payload.message ?? "mappings need review"}`);
          return;
        case "flow.paused":
        case "flow.resumed":
        case "flow.cancelled":
        case "flow.retried":
          line(`  • ${event.type.replace("flow.", "flow ")}`);
          return;
        case "flow.failed":
          line(`  ✗ ${eventPhase} failed: ${payload.error ?? "unknown error"}`);
          return;
      }
      if (tty) render();
    },
    done() {
      if (tty && barShown) out.write("\n");
      barShown = false;
    },
  };
}

function fmt(value: number): string {
  return Number.isFinite(value) ? value.toLocaleString("en-US") : "?";
}
