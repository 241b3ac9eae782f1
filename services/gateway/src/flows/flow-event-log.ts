import type { FlowEventEnvelope } from "@migrate/events";

/** One flow event with its JetStream stream sequence. */
export interface LoggedEvent {
  readonly seq: number;
  /** Shared by every watcher of the flow: never mutate it. */
  readonly envelope: FlowEventEnvelope;
}

/**
 * One flow's events in stream order, held once per gateway and read by all of the flow's
 * watchers, each through its own cursor (a `FlowEventReader`): so a watcher costs an index into
 * this array, not a copy of the events, and a slow one only lags behind without holding up the
 * others. The history is appended once (`loaded`), live events before and after it as the
 * shared subscription delivers them; stream sequences make the hand-over exact: a live event at
 * or below the last sequence already held is a duplicate and dropped, and since the shared
 * subscription delivers every sequence in order, nothing after the history is missed.
 */
export class FlowEventLog {
  readonly events: LoggedEvent[] = [];
  readonly readers = new Set<FlowEventReader>();
  /** The highest stream sequence held (history or live). */
  lastSeq = 0;
  /** Live events that arrived while the history was loading. */
  private early: LoggedEvent[] | undefined = [];

  get loading(): boolean {
    return this.early !== undefined;
  }

  /** A live event from the shared subscription. */
  append(event: LoggedEvent): void {
    if (this.early) {
      this.early.push(event);
      return;
    }
    if (event.seq <= this.lastSeq) return;
    this.events.push(event);
    this.lastSeq = event.seq;
    for (const reader of this.readers) reader.wake();
  }

  /** The flow's history up to some sequence, then the live events that came meanwhile and follow it. */
  loaded(history: readonly LoggedEvent[], lastHistorySeq: number): void {
    const early = this.early ?? [];
    this.early = undefined;
    for (const event of history) this.events.push(event);
    this.lastSeq = Math.max(this.lastSeq, lastHistorySeq);
    for (const event of early) this.append(event);
    for (const reader of this.readers) reader.wake();
  }

  /** A cursor at the start of the log. */
  reader(): FlowEventReader {
    const reader = new FlowEventReader(this);
    this.readers.add(reader);
    return reader;
  }
}

/** One watcher's position in its flow's log. */
export class FlowEventReader {
  private index = 0;
  private waking: (() => void) | undefined;
  private failure: unknown;
  private closed = false;
  private readonly log: FlowEventLog;
  /** Called once when the reader closes (the hub lets an unwatched log go). */
  onClose: (() => void) | undefined;

  constructor(log: FlowEventLog) {
    this.log = log;
  }

  /** Events in the log after this reader's position. */
  pending(): number {
    return this.log.events.length - this.index;
  }

  /**
   * The next event, waiting for one when the reader is at the end; undefined once closed. After
   * `fail`, the events already logged are still handed out, then the failure is thrown.
   */
  async next(): Promise<LoggedEvent | undefined> {
    for (;;) {
      if (this.closed) return undefined;
      const event = this.log.events[this.index];
      if (event) {
        this.index++;
        return event;
      }
      if (this.failure !== undefined) throw this.failure;
      await new Promise<void>((resolve) => {
        this.waking = resolve;
      });
    }
  }

  /** Wakes a `next` waiting at the end of the log. */
  wake(): void {
    const waking = this.waking;
    this.waking = undefined;
    waking?.();
  }

  fail(error: unknown): void {
    if (this.closed || this.failure !== undefined) return;
    this.failure = error;
    this.wake();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.log.readers.delete(this);
    this.wake();
    this.onClose?.();
  }
}
