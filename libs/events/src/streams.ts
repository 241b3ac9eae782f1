import { AckPolicy, DeliverPolicy, type JetStreamManager, RetentionPolicy, StorageType } from "@nats-io/jetstream";

const NANOS_PER_MS = 1_000_000;

/** Creates the stream, or updates its subjects; safe when several replicas start at once. */
export async function ensureStream(
  jsm: JetStreamManager,
  options: { name: string; subjects: string[]; duplicateWindowMs?: number; maxAgeMs?: number },
): Promise<void> {
  const config = {
    name: options.name,
    subjects: options.subjects,
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    // Nats-Msg-Id de-duplication holds for this window: a relay retrying after a crash is absorbed.
    duplicate_window: (options.duplicateWindowMs ?? 10 * 60_000) * NANOS_PER_MS,
    max_age: (options.maxAgeMs ?? 7 * 24 * 3_600_000) * NANOS_PER_MS,
  };
  try {
    await jsm.streams.info(options.name);
    await jsm.streams.update(options.name, config);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    try {
      await jsm.streams.add(config);
    } catch (addError) {
      // Another replica created it between our info and add.
      if (!String(addError).includes("already in use")) throw addError;
    }
  }
}

/** A durable pull consumer with explicit acks; its position survives consumer restarts. */
export async function ensureDurableConsumer(
  jsm: JetStreamManager,
  options: { stream: string; durable: string; filterSubject?: string; ackWaitMs?: number; maxDeliver?: number },
): Promise<void> {
  const config = {
    durable_name: options.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: options.filterSubject,
    ack_wait: (options.ackWaitMs ?? 30_000) * NANOS_PER_MS,
    max_deliver: options.maxDeliver ?? -1,
  };
  try {
    await jsm.consumers.info(options.stream, options.durable);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    try {
      await jsm.consumers.add(options.stream, config);
      return;
    } catch (addError) {
      // Another replica created it first; fall through and align its settings.
      if (!String(addError).includes("already")) throw addError;
    }
  }
  // An existing durable keeps its position; only the settings that may change are updated.
  await jsm.consumers.update(options.stream, options.durable, {
    ack_wait: config.ack_wait,
    max_deliver: config.max_deliver,
    filter_subject: config.filter_subject,
  });
}

function isNotFound(error: unknown): boolean {
  const text = String((error as { message?: string })?.message ?? error);
  return text.includes("not found") || (error as { code?: string | number })?.code === 404;
}
