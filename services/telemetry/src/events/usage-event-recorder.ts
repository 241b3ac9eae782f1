import { type Kysely, sql } from "@migrate/db";
import type { ConsumedMessage } from "@migrate/events";
import type { Logger } from "@migrate/logger";
import type { TelemetryDatabase } from "../db/telemetry-database.ts";
import { parseUsageEvent } from "./parse-usage-event.ts";
import type { RecordOutcome, TelemetryMetrics } from "./telemetry-metrics.ts";

/**
 * The usage consumer's handler: records each usage event once, priced in the same statement
 * from the model_pricing row in force when the call happened (so a later price change never
 * rewrites history). The event id is the primary key: a redelivery or a re-publish of the same
 * event does nothing. The message is acked only after this resolves, i.e. after the commit.
 */
export function usageEventRecorder(options: {
  db: Kysely<TelemetryDatabase>;
  logger: Logger;
  metrics: TelemetryMetrics;
}): (message: ConsumedMessage) => Promise<RecordOutcome> {
  const { db, logger, metrics } = options;
  const poison = (message: ConsumedMessage, reason: string): RecordOutcome => {
    logger.warn(
      { subject: message.subject, stream_sequence: message.streamSequence, msg_id: message.msgID, reason },
      "skipping malformed usage event",
    );
    metrics.usageRecords.inc({ outcome: "poison" });
    return "poison";
  };

  return async (message) => {
    const parsed = parseUsageEvent(message.data);
    if (!parsed.ok) return poison(message, parsed.reason);
    const e = parsed.event;
    let rows: Array<{ cost_usd: string; priced: boolean }>;
    try {
      ({ rows } = await sql<{ cost_usd: string; priced: boolean }>`
        insert into llm_usage_records (event_id, client_account_id, engagement_id, flow_id, agent, provider, model,
          input_tokens, output_tokens, latency_ms, outcome, trace_id, occurred_at, subject, stream_sequence,
          pricing_id, cost_usd)
        select ${e.eventId}::uuid, ${e.clientAccountId}, ${e.engagementId}, ${e.flowId}, ${e.agent}, ${e.provider},
          ${e.model}, ${e.inputTokens}, ${e.outputTokens}, ${e.latencyMs}, ${e.outcome}, ${e.traceId},
          ${e.occurredAt}, ${message.subject}, ${message.streamSequence}, price.id,
          coalesce((${e.inputTokens}::numeric * price.input_usd_per_million
            + ${e.outputTokens}::numeric * price.output_usd_per_million) / 1000000, 0)
        from (select 1) as one
        left join lateral (
          select id, input_usd_per_million, output_usd_per_million from model_pricing
          where provider = ${e.provider} and model = ${e.model}
            and effective_from <= ${e.occurredAt} and (effective_to is null or effective_to > ${e.occurredAt})
          order by effective_from desc
          limit 1
        ) as price on true
        on conflict (event_id) do nothing
        returning cost_usd::text as cost_usd, pricing_id is not null as priced`.execute(db));
    } catch (error) {
      // Data exceptions fail the same way on every redelivery: poison, not an endless retry.
      if (String((error as { code?: unknown }).code ?? "").startsWith("22")) {
        return poison(message, `rejected by the database (${(error as { code: string }).code})`);
      }
      throw error;
    }
    const row = rows[0];
    if (!row) {
      metrics.usageRecords.inc({ outcome: "duplicate" });
      logger.debug({ event_id: e.eventId, delivery_count: message.deliveryCount }, "usage event already recorded");
      return "duplicate";
    }
    metrics.usageRecords.inc({ outcome: "recorded" });
    if (row.priced) {
      metrics.cost(e.provider, e.model, e.clientAccountId, Number(row.cost_usd));
    } else if (e.inputTokens + e.outputTokens > 0) {
      metrics.unpriced(e.provider, e.model);
      logger.warn({ provider: e.provider, model: e.model }, "no price for this model at this date; recorded at 0 USD");
    }
    return "recorded";
  };
}
