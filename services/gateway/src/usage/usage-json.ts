import { MeshError } from "@migrate/errors";
import type {
  GetFlowTimelineResponse,
  GetUsageResponse,
  ModelPrice,
  UsageRow,
} from "@migrate/gen/telemetry/v1/telemetry_pb";
import type { BudgetView } from "./budget-view.ts";

const PRICE_FIELDS = [
  "provider",
  "model",
  "input_usd_per_million",
  "output_usd_per_million",
  "currency",
  "effective_from",
  "effective_to",
] as const;

/** `{"monthly_usd": "250.00"}`: the amount must be a string, so it stays an exact decimal. */
export function parseBudgetBody(body: unknown): string {
  if (!isObject(body)) {
    throw new MeshError("INVALID_ARGUMENT", 'the body must be a JSON object such as {"monthly_usd": "250.00"}', {
      field: "body",
    });
  }
  const amount = body.monthly_usd;
  if (typeof amount !== "string") {
    throw new MeshError("INVALID_ARGUMENT", 'monthly_usd must be a decimal string such as "250.00"', {
      field: "monthly_usd",
      ...(amount === undefined ? {} : { value: String(amount).slice(0, 32) }),
    });
  }
  return amount;
}

/**
 * `{"price": {provider, model, input_usd_per_million, output_usd_per_million, currency?,
 * effective_from, effective_to?}}`, every value a string (effective_to may be null: open-ended).
 * Values are checked by the telemetry service; here only their JSON types, and unknown keys, so
 * a misspelt field is named rather than silently ignored.
 */
export function parsePriceBody(body: unknown) {
  const price = isObject(body) ? body.price : undefined;
  if (!isObject(price)) {
    throw new MeshError(
      "INVALID_ARGUMENT",
      'the body must be {"price": {"provider", "model", "input_usd_per_million", "output_usd_per_million", "effective_from", ...}}',
      { field: "price" },
    );
  }
  for (const key of Object.keys(price)) {
    if (!(PRICE_FIELDS as readonly string[]).includes(key)) {
      throw new MeshError("INVALID_ARGUMENT", `unknown field price.${key.slice(0, 64)}`, {
        field: `price.${key.slice(0, 64)}`,
        valid: [...PRICE_FIELDS],
      });
    }
  }
  const text = (key: (typeof PRICE_FIELDS)[number]): string => {
    const value = price[key];
    if (value === undefined || value === null) return "";
    if (typeof value !== "string") {
      throw new MeshError("INVALID_ARGUMENT", `price.${key} must be a string`, {
        field: `price.${key}`,
        value: String(value).slice(0, 32),
      });
    }
    return value;
  };
  return {
    provider: text("provider"),
    model: text("model"),
    inputUsdPerMillion: text("input_usd_per_million"),
    outputUsdPerMillion: text("output_usd_per_million"),
    currency: text("currency"),
    effectiveFrom: text("effective_from"),
    effectiveTo: text("effective_to"),
  };
}

export function usageJson(usage: GetUsageResponse) {
  return {
    from: usage.from,
    to: usage.to,
    group_by: usage.groupBy,
    rows: usage.rows.map(usageRowJson),
    total: usage.total ? usageRowJson(usage.total) : null,
  };
}

function usageRowJson(row: UsageRow) {
  return {
    key: row.key || null,
    provider: row.provider || null,
    calls: Number(row.calls),
    input_tokens: Number(row.inputTokens),
    output_tokens: Number(row.outputTokens),
    cost_usd: row.costUsd,
  };
}

export function budgetJson(budget: BudgetView) {
  return {
    has_budget: budget.hasBudget,
    monthly_usd: budget.hasBudget ? budget.monthlyUsd : null,
    updated_at: budget.updatedAt || null,
    month: budget.month,
    spent_this_month_usd: budget.spentThisMonthUsd,
    remaining_usd: budget.hasBudget ? budget.remainingUsd : null,
    exhausted: budget.exhausted,
  };
}

export function priceJson(price: ModelPrice) {
  return {
    provider: price.provider,
    model: price.model,
    input_usd_per_million: price.inputUsdPerMillion,
    output_usd_per_million: price.outputUsdPerMillion,
    currency: price.currency,
    effective_from: price.effectiveFrom,
    effective_to: price.effectiveTo || null,
  };
}

/** Timeline entries with their payload as JSON, not as the text it travels in. */
export function timelineJson(timeline: GetFlowTimelineResponse) {
  return {
    flow_id: timeline.flowId,
    entries: timeline.entries.map((entry) => ({
      event_id: entry.eventId,
      type: entry.type,
      phase: entry.phase || null,
      progress: entry.progress,
      occurred_at: entry.occurredAt,
      received_at: entry.receivedAt,
      payload: parsePayload(entry.payloadJson),
    })),
  };
}

function parsePayload(text: string): unknown {
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return {};
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
