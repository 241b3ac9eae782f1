import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { ApiError } from "../api/api-error.ts";
import { api } from "../api/http.ts";
import { canWrite, type Session } from "../api/session.ts";
import type { FieldMapping, Flow, Mappings } from "../api/types.ts";
import { flowKey } from "../api/watch-flow.ts";
import { loadColumnSamples } from "../new-flow/column-samples.ts";
import { useRouter } from "../router.tsx";
import { FlowTabs } from "../ui/flow-tabs.tsx";
import { ScrollBox } from "../ui/scroll-box.tsx";
import { Empty, ErrorBox, Loading } from "../ui/states.tsx";

/** What the reviewer chose for one column: a canonical target, or "" to keep it as a custom attribute. */
type Choices = Record<string, string>;
const CUSTOM = "";

/** The columns the mapper was unsure of first; change targets, keep as custom, approve. */
export function ReviewScreen({ flowId, session }: { flowId: string; session: Session }) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [choices, setChoices] = useState<Choices>({});
  // Values of each column, when this tab uploaded the file.
  const [samples] = useState(() => loadColumnSamples(flowId));
  const mappings = useQuery({
    queryKey: ["mappings", flowId],
    queryFn: () => api<Mappings>(`/v1/flows/${flowId}/mappings`),
  });
  const approve = useMutation({
    mutationFn: (corrections: { source_field: string; target_field: string }[]) =>
      api<{ flow: Flow }>(`/v1/flows/${flowId}/mappings/approve`, {
        method: "POST",
        body: JSON.stringify({ corrections }),
      }),
    onSuccess: ({ flow }) => {
      queryClient.setQueryData(flowKey(flowId), flow);
      void queryClient.invalidateQueries({ queryKey: ["mappings", flowId] });
      router.navigate(`/flows/${flowId}`);
    },
  });

  if (mappings.isPending) return <Loading label="Loading the mappings" />;
  if (mappings.isError) return <ErrorBox error={mappings.error} title="The mappings cannot be read" />;
  const data = mappings.data;
  const threshold = data.confidence_threshold;
  const rows = [...data.mappings].sort(
    (a, b) => Number(a.confidence >= threshold) - Number(b.confidence >= threshold) || a.confidence - b.confidence,
  );
  const targets = new Set(data.valid_targets);
  const chosen = (m: FieldMapping) => (m.source in choices ? (choices[m.source] as string) : m.target);
  const invalid = rows.filter((m) => chosen(m) !== CUSTOM && !targets.has(chosen(m)));
  const corrections = rows
    .filter((m) => m.source in choices && choices[m.source] !== m.target)
    .map((m) => ({ source_field: m.source, target_field: chosen(m) }));
  const refusal = approve.error instanceof ApiError ? approve.error : null;
  const concerned = refusal ? concernedColumns(refusal, corrections, rows) : new Set<string>();
  const writer = canWrite(session);

  return (
    <section aria-labelledby="review-title">
      <FlowTabs flowId={flowId} />
      <h1 id="review-title">Mapping review</h1>
      {!data.awaiting_approval && (
        <p className="notice">This flow does not wait for a review; the mappings below are what it used.</p>
      )}
      {data.reasons.length > 0 && (
        <ul className="notices" aria-label="Why a review is needed">
          {data.reasons.map((reason) => (
            <li key={reason}>{reason}</li>
          ))}
        </ul>
      )}
      <p className="muted">
        Format <code>{data.format}</code> · columns below {threshold} confidence come first · an empty target keeps the
        column as a custom attribute.
      </p>
      <datalist id="valid-targets">
        {data.valid_targets.map((target) => (
          <option key={target} value={target} />
        ))}
      </datalist>
      {rows.length === 0 ? (
        <Empty>This flow has no columns to map.</Empty>
      ) : (
        <ScrollBox label="Column mappings table">
          <table className="review">
            <caption className="sr-only">Column mappings</caption>
            <thead>
              <tr>
                <th scope="col">Source column</th>
                <th scope="col">Target</th>
                <th scope="col">Confidence</th>
                <th scope="col">Reason</th>
                <th scope="col">Alternatives</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((m) => {
                const value = chosen(m);
                const low = m.confidence < threshold;
                const changed = m.source in choices && choices[m.source] !== m.target;
                const bad = value !== CUSTOM && !targets.has(value);
                return (
                  <tr key={m.source} className={`${low ? "low" : ""} ${concerned.has(m.source) ? "refused" : ""}`}>
                    <th scope="row" data-label="Source column">
                      {m.source}
                      {m.sibling && <span className="muted"> (duplicates {m.sibling})</span>}
                      {samples[m.source]?.length ? (
                        <span className="samples">e.g. {samples[m.source]?.join(" · ")}</span>
                      ) : null}
                      {concerned.has(m.source) && refusal && (
                        <span className="error-text" role="alert">
                          {refusal.message}
                        </span>
                      )}
                    </th>
                    <td data-label="Target">
                      <input
                        list="valid-targets"
                        aria-label={`Target for ${m.source}`}
                        value={value}
                        placeholder="custom attribute"
                        disabled={!writer || !data.awaiting_approval}
                        aria-invalid={bad}
                        onChange={(e) => setChoices({ ...choices, [m.source]: e.target.value.trim() })}
                      />
                      <button
                        type="button"
                        className="link-button"
                        disabled={!writer || !data.awaiting_approval || value === CUSTOM}
                        onClick={() => setChoices({ ...choices, [m.source]: CUSTOM })}
                        aria-label={`keep as custom: ${m.source}`}
                      >
                        keep as custom
                      </button>
                      {changed && <span className="muted"> (was {m.target || "custom"})</span>}
                      {bad && <span className="error-text">not a valid target</span>}
                    </td>
                    <td data-label="Confidence" className="num">
                      <span className={low ? "low-confidence" : ""}>{m.confidence.toFixed(2)}</span>
                    </td>
                    <td data-label="Reason">{m.reason}</td>
                    <td data-label="Alternatives">
                      {m.alternatives.length === 0
                        ? "–"
                        : m.alternatives.map((alt) => (
                            <button
                              key={alt.target}
                              type="button"
                              className="chip"
                              disabled={!writer || !data.awaiting_approval}
                              onClick={() => setChoices({ ...choices, [m.source]: alt.target })}
                              aria-label={`${alt.target} ${alt.confidence.toFixed(2)} for ${m.source}`}
                            >
                              {alt.target} {alt.confidence.toFixed(2)}
                            </button>
                          ))}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </ScrollBox>
      )}
      {approve.error != null && <ErrorBox error={approve.error} title="The review was refused" />}
      {writer && data.awaiting_approval && (
        <div className="row-actions">
          <button
            type="button"
            disabled={approve.isPending || invalid.length > 0}
            onClick={() => approve.mutate(corrections)}
          >
            {approve.isPending
              ? "Approving…"
              : corrections.length
                ? `Approve with ${corrections.length} correction${corrections.length > 1 ? "s" : ""}`
                : "Approve all as suggested"}
          </button>
          {invalid.length > 0 && <span className="error-text">Fix the targets marked invalid first.</span>}
        </div>
      )}
    </section>
  );
}

/** The columns an API refusal is about: listed in its details, named by a correction index or a value, or in the message. */
function concernedColumns(error: ApiError, corrections: { source_field: string }[], rows: FieldMapping[]): Set<string> {
  const found = new Set<string>();
  const field = String(error.details.field ?? "");
  const index = /^corrections\[(\d+)\]/.exec(field)?.[1];
  if (index !== undefined) {
    const source = corrections[Number(index)]?.source_field;
    if (source) found.add(source);
  }
  const columns = Array.isArray(error.details.columns) ? error.details.columns : [];
  for (const column of columns) if (typeof column === "string") found.add(column);
  for (const m of rows) {
    const named = new RegExp(`(^|[^\\w])${m.source.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}([^\\w]|$)`);
    if (error.details.value === m.source || named.test(error.message)) found.add(m.source);
  }
  return found;
}
