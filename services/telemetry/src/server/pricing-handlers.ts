import { type Kysely, sql } from "@migrate/db";
import { MeshError } from "@migrate/errors";
import type { ModelPrice, TelemetryService } from "@migrate/gen/telemetry/v1/telemetry_pb";
import type { ServiceImpl } from "@migrate/grpc";
import type { TelemetryDatabase } from "../db/telemetry-database.ts";
import { parseAmount, parseInstant, requireAdmin } from "./request-values.ts";

const PROVIDER = /^[a-z0-9_-]{1,40}$/;

interface PriceRow {
  provider: string;
  model: string;
  input: string;
  output: string;
  currency: string;
  effective_from: Date;
  effective_to: Date | null;
}

const priceColumns = sql`provider, model,
  trim_scale(input_usd_per_million)::text as input, trim_scale(output_usd_per_million)::text as output,
  currency, effective_from, effective_to`;

function priceOut(row: PriceRow) {
  return {
    provider: row.provider,
    model: row.model,
    inputUsdPerMillion: row.input,
    outputUsdPerMillion: row.output,
    currency: row.currency,
    effectiveFrom: row.effective_from.toISOString(),
    effectiveTo: row.effective_to?.toISOString() ?? "",
  };
}

/**
 * ListPricing and SetPricing (admin role). Prices apply to calls recorded from then on; a
 * recorded call keeps the price it was recorded at. The table's exclusion constraint refuses
 * overlapping date ranges for one provider and model, reported as INVALID_ARGUMENT.
 */
export function pricingHandlers(
  db: Kysely<TelemetryDatabase>,
): Pick<ServiceImpl<typeof TelemetryService.method>, "listPricing" | "setPricing"> {
  return {
    async listPricing(request, ctx) {
      requireAdmin(ctx);
      const provider = request.provider.trim();
      const model = request.model.trim();
      const { rows } = await sql<PriceRow>`select ${priceColumns} from model_pricing
        where (${provider} = '' or provider = ${provider}) and (${model} = '' or model = ${model})
        order by provider, model, effective_from`.execute(db);
      return { prices: rows.map(priceOut) };
    },

    async setPricing(request, ctx) {
      requireAdmin(ctx);
      const price = validated(request.price);
      let rows: Array<PriceRow & { created: boolean }>;
      try {
        ({ rows } = await sql<PriceRow & { created: boolean }>`
          insert into model_pricing as p
            (provider, model, input_usd_per_million, output_usd_per_million, currency, effective_from, effective_to, source)
          values (${price.provider}, ${price.model}, ${price.input}::numeric, ${price.output}::numeric, ${price.currency},
            ${price.from}, ${price.to}, ${`set by ${ctx.tenant.userId || "unknown user"}`})
          on conflict (provider, model, effective_from) do update set
            input_usd_per_million = excluded.input_usd_per_million,
            output_usd_per_million = excluded.output_usd_per_million,
            currency = excluded.currency, effective_to = excluded.effective_to,
            source = excluded.source, updated_at = now()
          returning ${priceColumns}, (xmax = 0) as created`.execute(db));
      } catch (error) {
        if ((error as { code?: string }).code === "23P01") throw await overlapError(db, price);
        throw error;
      }
      const row = rows[0] as PriceRow & { created: boolean };
      ctx.logger.info({ provider: row.provider, model: row.model, created: row.created }, "model price set");
      return { price: priceOut(row), created: row.created };
    },
  };
}

function validated(price: ModelPrice | undefined) {
  if (!price) throw new MeshError("INVALID_ARGUMENT", "price is required", { field: "price" });
  const provider = price.provider.trim();
  if (!PROVIDER.test(provider)) {
    throw new MeshError("INVALID_ARGUMENT", "provider must be 1-40 lower-case letters, digits, _ or -", {
      field: "price.provider",
    });
  }
  const model = price.model.trim();
  if (!model || model.length > 200) {
    throw new MeshError("INVALID_ARGUMENT", "model is required (at most 200 characters)", { field: "price.model" });
  }
  const currency = (price.currency.trim() || "USD").toUpperCase();
  if (currency !== "USD") {
    throw new MeshError("INVALID_ARGUMENT", "only USD prices are supported (budgets are kept in USD)", {
      field: "price.currency",
      value: currency.slice(0, 8),
    });
  }
  const from = parseInstant(price.effectiveFrom, "price.effective_from");
  if (!from) throw new MeshError("INVALID_ARGUMENT", "effective_from is required", { field: "price.effective_from" });
  const to = parseInstant(price.effectiveTo, "price.effective_to") ?? null;
  if (to && to <= from) {
    throw new MeshError("INVALID_ARGUMENT", "effective_to must be after effective_from", {
      field: "price.effective_to",
    });
  }
  return {
    provider,
    model,
    currency,
    from,
    to,
    input: parseAmount(price.inputUsdPerMillion, "price.input_usd_per_million", 6),
    output: parseAmount(price.outputUsdPerMillion, "price.output_usd_per_million", 6),
  };
}

/** Names the row the new dates collide with, so the admin knows which one to close first. */
async function overlapError(
  db: Kysely<TelemetryDatabase>,
  price: { provider: string; model: string; from: Date; to: Date | null },
): Promise<MeshError> {
  const { rows } = await sql<PriceRow>`select ${priceColumns} from model_pricing
    where provider = ${price.provider} and model = ${price.model} and effective_from <> ${price.from}::timestamptz
      and tstzrange(effective_from, effective_to, '[)') && tstzrange(${price.from}::timestamptz, ${price.to}::timestamptz, '[)')
    order by effective_from limit 1`.execute(db);
  const other = rows[0];
  return new MeshError(
    "INVALID_ARGUMENT",
    "these dates overlap another price of the same provider and model; close that one first (set its effective_to)",
    {
      field: "price.effective_from",
      conflicting_effective_from: other?.effective_from.toISOString() ?? "",
      conflicting_effective_to: other?.effective_to?.toISOString() ?? "",
    },
  );
}
