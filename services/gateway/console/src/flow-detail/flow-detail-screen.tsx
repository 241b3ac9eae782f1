import { useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api/http.ts";
import { canWrite, type Session } from "../api/session.ts";
import { type Flow, type Issue, type LiveEvent, type Report, TERMINAL } from "../api/types.ts";
import { eventsKey, flowKey, type LiveMode, useLiveFlow } from "../api/watch-flow.ts";
import { FlowActions } from "../flows/flow-actions.tsx";
import { Link } from "../router.tsx";
import { FlowTabs } from "../ui/flow-tabs.tsx";
import { formatCount, formatDate, formatDuration, label } from "../ui/format.ts";
import { ScrollBox } from "../ui/scroll-box.tsx";
import { Empty, ErrorBox, Loading, ProgressBar, StatusBadge } from "../ui/states.tsx";

const PHASES = [
  "data_import",
  "data_validation",
  "field_mapping",
  "data_cleansing",
  "asset_inventory",
  "dependency_analysis",
  "application_discovery",
  "strategy_recommendation",
];
const POLL_MS = 2_000;

/** One flow, live: progress and phases from WatchFlow (polling while the stream is down), events, data quality. */
export function FlowDetailScreen({ flowId, session }: { flowId: string; session: Session }) {
  const mode = useLiveFlow(flowId);
  const flow = useQuery({
    queryKey: flowKey(flowId),
    queryFn: () => api<{ flow: Flow }>(`/v1/flows/${flowId}`).then((r) => r.flow),
    refetchInterval: (q) =>
      mode === "polling" && q.state.data && !TERMINAL.includes(q.state.data.status) ? POLL_MS : false,
  });

  if (flow.isPending) return <Loading label="Loading the flow" />;
  if (flow.isError) return <ErrorBox error={flow.error} title="This flow cannot be shown" />;
  const data = flow.data;
  return (
    <section aria-labelledby="flow-title">
      <FlowTabs flowId={flowId} />
      <div className="title-row">
        <h1 id="flow-title">{data.name || data.source_filename || "Flow"}</h1>
        <StatusBadge status={data.status} />
        <LiveIndicator mode={mode} />
      </div>
      <div className="flow-progress" aria-live="polite">
        <ProgressBar value={data.progress} label="Flow progress" />
        <p data-testid="flow-phase">
          {data.status === "completed" ? "Completed" : `Phase: ${label(data.phase)}`} ·{" "}
          {formatCount(data.raw_record_count)} rows · {formatCount(data.connection_count)} connections ·{" "}
          {formatCount(data.asset_count)} assets · {formatCount(data.application_count)} applications
        </p>
      </div>
      {data.status === "awaiting_input" && (
        <div className="banner" role="alert">
          <p>
            <strong>This flow waits for you.</strong> {data.status_message || "Some column mappings need a review."}
          </p>
          <Link to={`/flows/${flowId}/review`} className="button">
            Review the mappings
          </Link>
        </div>
      )}
      {data.status === "failed" && (
        <div className="error-box" role="alert">
          <strong>The flow failed.</strong> <p>{data.status_message}</p>
        </div>
      )}
      {data.notices.length > 0 && (
        <ul className="notices">
          {data.notices.map((notice) => (
            <li key={notice}>{notice}</li>
          ))}
        </ul>
      )}
      <div className="row-actions">
        <FlowActions flow={data} canWrite={canWrite(session)} />
      </div>
      <div className="columns">
        <PhaseTimeline flow={data} />
        <EventList flowId={flowId} />
      </div>
      <DataQuality flowId={flowId} completed={data.status === "completed"} />
    </section>
  );
}

function LiveIndicator({ mode }: { mode: LiveMode }) {
  const text = { connecting: "connecting…", live: "live", polling: "stream lost: polling", ended: "ended" }[mode];
  return (
    <span className={`live live-${mode}`} data-testid="live-mode">
      {text}
    </span>
  );
}

function PhaseTimeline({ flow }: { flow: Flow }) {
  const byPhase = new Map(flow.phases.map((p) => [p.phase, p]));
  return (
    <section className="card" aria-labelledby="phases-title">
      <h2 id="phases-title">Phases</h2>
      <ol className="timeline">
        {PHASES.map((phase) => {
          const state = byPhase.get(phase);
          const status = state?.status ?? "pending";
          return (
            <li key={phase} className={`phase phase-${status}`}>
              <span className="phase-name">{label(phase)}</span>
              <StatusBadge status={status} />
              <span className="muted">
                {state?.total ? `${formatCount(state.processed)} / ${formatCount(state.total)}` : ""}
                {state?.started_at ? ` · ${formatDuration(state.started_at, state.completed_at || null)}` : ""}
              </span>
              {state?.error && <span className="error-text">{state.error}</span>}
            </li>
          );
        })}
      </ol>
    </section>
  );
}

function EventList({ flowId }: { flowId: string }) {
  const queryClient = useQueryClient();
  // Filled by useLiveFlow; this only subscribes to the cache entry.
  const events = useQuery({
    queryKey: eventsKey(flowId),
    queryFn: () => queryClient.getQueryData<LiveEvent[]>(eventsKey(flowId)) ?? [],
    staleTime: Number.POSITIVE_INFINITY,
  });
  const list = (events.data ?? [])
    .filter((e) => e.type !== "phase.progress")
    .slice(-40)
    .reverse();
  return (
    <section className="card" aria-labelledby="events-title">
      <h2 id="events-title">Events</h2>
      {list.length === 0 ? (
        <Empty>No events yet.</Empty>
      ) : (
        <ScrollBox label="Flow events, newest first" className="events-box">
          <ol className="events">
            {list.map((event) => (
              <li key={event.id}>
                <code>{event.type}</code> <span className="muted">{label(event.phase)}</span>{" "}
                <span className="muted">{formatDate(event.occurredAt)}</span>
              </li>
            ))}
          </ol>
        </ScrollBox>
      )}
    </section>
  );
}

function DataQuality({ flowId, completed }: { flowId: string; completed: boolean }) {
  const report = useQuery({
    queryKey: ["report", flowId],
    queryFn: () => api<Report>(`/v1/flows/${flowId}/report`),
    enabled: completed,
  });
  const issues = useQuery({
    queryKey: ["issues", flowId, completed],
    queryFn: () => api<{ issues: Issue[]; total: number }>(`/v1/flows/${flowId}/issues?limit=10`),
  });
  return (
    <section className="card" aria-labelledby="quality-title">
      <h2 id="quality-title">Data quality</h2>
      {completed && report.data && (
        <p>
          Quality score <strong>{Math.round((report.data.data_quality ?? 0) * 1000) / 10}%</strong> ·{" "}
          {formatCount(report.data.open_issue_count ?? 0)} open issues
          {report.data.issues_by_code?.length
            ? `: ${report.data.issues_by_code.map((i) => `${label(i.key)} ${i.count}`).join(", ")}`
            : ""}
        </p>
      )}
      {issues.isPending ? (
        <Loading label="Loading issues" />
      ) : issues.isError ? (
        <ErrorBox error={issues.error} title="Issues cannot be read" />
      ) : issues.data.issues.length === 0 ? (
        <Empty>No data-quality issues found so far.</Empty>
      ) : (
        <ScrollBox label="Data-quality issues">
          <table>
            <caption>First issues of {formatCount(issues.data.total)}</caption>
            <thead>
              <tr>
                <th scope="col">Row</th>
                <th scope="col">Column</th>
                <th scope="col">Severity</th>
                <th scope="col">Code</th>
                <th scope="col">Message</th>
              </tr>
            </thead>
            <tbody>
              {issues.data.issues.map((issue) => (
                <tr key={`${issue.row_number}-${issue.column}-${issue.code}`}>
                  <td className="num">{issue.row_number}</td>
                  <td>{issue.column}</td>
                  <td>
                    <StatusBadge status={issue.severity} />
                  </td>
                  <td>
                    <code>{issue.code}</code>
                  </td>
                  <td>{issue.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
    </section>
  );
}
