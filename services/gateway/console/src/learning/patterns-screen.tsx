import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../api/http.ts";
import { canWrite, type Session } from "../api/session.ts";
import { FieldSelect } from "../ui/field-select.tsx";
import { formatCount, formatDate, label } from "../ui/format.ts";
import { ScrollBox } from "../ui/scroll-box.tsx";
import { Empty, ErrorBox, Loading } from "../ui/states.tsx";

interface Pattern {
  id: string;
  pattern_type: string;
  source_text: string;
  target: string;
  confidence: number;
  evidence_count: number;
  times_used: number;
  created_at: string;
  created_by: string;
}

const TYPES = ["field_mapping", "value_normalization", "asset_classification", "strategy_override"];

/** What the tenant's reviews taught the platform, most confident first, with delete. */
export function PatternsScreen({ session }: { session: Session }) {
  const queryClient = useQueryClient();
  const [type, setType] = useState("");
  const patterns = useQuery({
    queryKey: ["patterns", type],
    queryFn: () => api<{ patterns: Pattern[] }>(`/v1/learning/patterns?limit=200${type ? `&type=${type}` : ""}`),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api<null>(`/v1/learning/patterns/${id}`, { method: "DELETE" }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["patterns"] }),
  });
  const writer = canWrite(session);
  return (
    <section aria-labelledby="patterns-title">
      <h1 id="patterns-title">Learned patterns</h1>
      <search className="filters" aria-label="Filter patterns">
        <FieldSelect label="Type" value={type} onChange={setType}>
          <option value="">any</option>
          {TYPES.map((t) => (
            <option key={t} value={t}>
              {label(t)}
            </option>
          ))}
        </FieldSelect>
      </search>
      {remove.error != null && <ErrorBox error={remove.error} title="The pattern could not be deleted" />}
      {patterns.isPending ? (
        <Loading label="Loading patterns" />
      ) : patterns.isError ? (
        <ErrorBox error={patterns.error} title="The patterns cannot be read" />
      ) : patterns.data.patterns.length === 0 ? (
        <Empty>Nothing learned yet: every correction in a mapping review teaches a pattern.</Empty>
      ) : (
        <ScrollBox label="Patterns table">
          <table>
            <caption>{formatCount(patterns.data.patterns.length)} patterns</caption>
            <thead>
              <tr>
                <th scope="col">Source</th>
                <th scope="col">Target</th>
                <th scope="col">Type</th>
                <th scope="col">Confidence</th>
                <th scope="col">Evidence</th>
                <th scope="col">Used</th>
                <th scope="col">Learned</th>
                {writer && <th scope="col">Delete</th>}
              </tr>
            </thead>
            <tbody>
              {patterns.data.patterns.map((p) => (
                <tr key={p.id}>
                  <th scope="row">{p.source_text}</th>
                  <td>{p.target}</td>
                  <td>{label(p.pattern_type)}</td>
                  <td className="num">{p.confidence.toFixed(2)}</td>
                  <td className="num">{formatCount(p.evidence_count)}</td>
                  <td className="num">{formatCount(p.times_used)}</td>
                  <td>
                    {formatDate(p.created_at)} <span className="muted">{p.created_by}</span>
                  </td>
                  {writer && (
                    <td>
                      <button
                        type="button"
                        className="secondary danger"
                        disabled={remove.isPending}
                        onClick={() => remove.mutate(p.id)}
                        aria-label={`Delete pattern ${p.source_text} → ${p.target}`}
                      >
                        Delete
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
    </section>
  );
}
