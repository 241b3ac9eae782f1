import { useQuery } from "@tanstack/react-query";
import { api } from "../api/http.ts";
import type { Counted, Report, Wave } from "../api/types.ts";
import { applicationsQuery } from "../applications/applications-screen.tsx";
import { FlowTabs } from "../ui/flow-tabs.tsx";
import { Empty, ErrorBox, Loading } from "../ui/states.tsx";
import { BarChart } from "./bar-chart.tsx";

/** The 7R breakdown per asset and per application, and the waves in order with their applications. */
export function StrategyScreen({ flowId }: { flowId: string }) {
  const report = useQuery({
    queryKey: ["report", flowId],
    queryFn: () => api<Report & { application_strategies?: Counted[] }>(`/v1/flows/${flowId}/report`),
  });
  const waves = useQuery({
    queryKey: ["waves", flowId],
    queryFn: () => api<{ waves: Wave[] }>(`/v1/flows/${flowId}/waves`),
  });
  const apps = useQuery(applicationsQuery(flowId));
  const names = new Map(apps.data?.applications.map((a) => [a.application.key, a.application.name]) ?? []);

  return (
    <section aria-labelledby="strategy-title">
      <FlowTabs flowId={flowId} />
      <h1 id="strategy-title">Strategy and waves</h1>
      {report.isPending ? (
        <Loading label="Loading the assessment" />
      ) : report.isError ? (
        <ErrorBox error={report.error} title="The assessment cannot be read" />
      ) : !report.data.by_strategy?.length ? (
        <Empty>No strategies yet: they appear once the flow has recommended them.</Empty>
      ) : (
        <div className="columns">
          <div className="card">
            <BarChart title="Assets per strategy" data={report.data.by_strategy} />
          </div>
          <div className="card">
            <BarChart title="Applications per strategy" data={report.data.application_strategies ?? []} />
          </div>
        </div>
      )}
      <section className="card" aria-labelledby="waves-title">
        <h2 id="waves-title">Waves</h2>
        {waves.isPending ? (
          <Loading label="Loading waves" />
        ) : waves.isError ? (
          <ErrorBox error={waves.error} title="The waves cannot be read" />
        ) : waves.data.waves.length === 0 ? (
          <Empty>No waves yet.</Empty>
        ) : (
          <ol className="waves">
            {waves.data.waves.map((wave) => (
              <li key={wave.number}>
                <strong>Wave {wave.number}</strong>: {wave.application_keys.map((k) => names.get(k) || k).join(", ")}
                <p className="muted">{wave.rationale}</p>
              </li>
            ))}
          </ol>
        )}
      </section>
    </section>
  );
}
