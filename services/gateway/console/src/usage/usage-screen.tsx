import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../api/http.ts";
import type { Session } from "../api/session.ts";
import { FieldSelect } from "../ui/field-select.tsx";
import { formatCount } from "../ui/format.ts";
import { ScrollBox } from "../ui/scroll-box.tsx";
import { Empty, ErrorBox, Loading } from "../ui/states.tsx";

interface UsageRow {
  key: string | null;
  provider: string | null;
  calls: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: string;
}
interface Budget {
  has_budget: boolean;
  monthly_usd: string | null;
  month: string;
  spent_this_month_usd: string;
  remaining_usd: string | null;
  exhausted: boolean;
}

const GROUPS = [
  ["model", "Model"],
  ["agent", "Agent"],
  ["day", "Day"],
  ["flow", "Flow"],
] as const;

interface Price {
  provider: string;
  model: string;
  input_usd_per_million: string;
  output_usd_per_million: string;
  effective_from: string;
  effective_to: string | null;
}

/**
 * The tenant's LLM calls, tokens and cost this month by model, agent, day or flow, its budget, and
 * for admins the model pricing table.
 */
export function UsageScreen({ session }: { session: Session }) {
  const admin = session.roles.includes("admin");
  const pricing = useQuery({
    queryKey: ["pricing"],
    queryFn: () => api<{ prices: Price[] }>("/v1/pricing").then((r) => r.prices),
    enabled: admin,
  });
  const [groupBy, setGroupBy] = useState<string>("model");
  const usage = useQuery({
    queryKey: ["usage", groupBy],
    queryFn: () =>
      api<{ from: string; to: string; rows: UsageRow[]; total: UsageRow }>(`/v1/usage?group_by=${groupBy}`),
  });
  const budget = useQuery({
    queryKey: ["budget"],
    queryFn: () => api<{ budget: Budget }>("/v1/usage/budget").then((r) => r.budget),
  });
  return (
    <section aria-labelledby="usage-title">
      <h1 id="usage-title">LLM usage</h1>
      <section className="card" aria-labelledby="budget-title">
        <h2 id="budget-title">Budget</h2>
        {budget.isPending ? (
          <Loading label="Loading the budget" />
        ) : budget.isError ? (
          <ErrorBox error={budget.error} title="The budget cannot be read" />
        ) : (
          <p>
            {budget.data.month}: spent <strong>${budget.data.spent_this_month_usd}</strong>
            {budget.data.has_budget
              ? ` of $${budget.data.monthly_usd}; $${budget.data.remaining_usd} left${budget.data.exhausted ? " (exhausted: heuristics only)" : ""}`
              : "; no budget set (LLM use is unlimited)"}
          </p>
        )}
      </section>
      <search className="filters" aria-label="Group usage">
        <FieldSelect label="Group by" value={groupBy} onChange={setGroupBy}>
          {GROUPS.map(([value, name]) => (
            <option key={value} value={value}>
              {name}
            </option>
          ))}
        </FieldSelect>
      </search>
      {usage.isPending ? (
        <Loading label="Loading usage" />
      ) : usage.isError ? (
        <ErrorBox error={usage.error} title="Usage cannot be read" />
      ) : usage.data.rows.length === 0 ? (
        <Empty>No LLM calls this month: the agents used their built-in heuristics only.</Empty>
      ) : (
        <ScrollBox label="Usage table">
          <table>
            <caption>Since {usage.data.from.slice(0, 10)}</caption>
            <thead>
              <tr>
                <th scope="col">{GROUPS.find(([v]) => v === groupBy)?.[1]}</th>
                <th scope="col">Calls</th>
                <th scope="col">Input tokens</th>
                <th scope="col">Output tokens</th>
                <th scope="col">Cost (USD)</th>
              </tr>
            </thead>
            <tbody>
              {[...usage.data.rows, { ...usage.data.total, key: "Total" }].map((row) => (
                <tr key={`${row.key}-${row.provider}`}>
                  <th scope="row">
                    {row.key}
                    {row.provider ? <span className="muted"> ({row.provider})</span> : null}
                  </th>
                  <td className="num">{formatCount(row.calls)}</td>
                  <td className="num">{formatCount(row.input_tokens)}</td>
                  <td className="num">{formatCount(row.output_tokens)}</td>
                  <td className="num">{row.cost_usd}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
      {admin && (
        <section className="card pricing" aria-labelledby="pricing-title">
          <h2 id="pricing-title">Model pricing (USD per million tokens)</h2>
          {pricing.isPending ? (
            <Loading label="Loading prices" />
          ) : pricing.isError ? (
            <ErrorBox error={pricing.error} title="The prices cannot be read" />
          ) : pricing.data.length === 0 ? (
            <Empty>No prices recorded.</Empty>
          ) : (
            <ScrollBox label="Pricing table">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Provider</th>
                    <th scope="col">Model</th>
                    <th scope="col">Input</th>
                    <th scope="col">Output</th>
                    <th scope="col">From</th>
                    <th scope="col">To</th>
                  </tr>
                </thead>
                <tbody>
                  {pricing.data.map((p) => (
                    <tr key={`${p.provider}/${p.model}/${p.effective_from}`}>
                      <td>{p.provider}</td>
                      <th scope="row">{p.model}</th>
                      <td className="num">{p.input_usd_per_million}</td>
                      <td className="num">{p.output_usd_per_million}</td>
                      <td>{p.effective_from.slice(0, 10)}</td>
                      <td>{p.effective_to ? p.effective_to.slice(0, 10) : "open"}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </ScrollBox>
          )}
        </section>
      )}
    </section>
  );
}
