import { useQuery } from "@tanstack/react-query";
import { api } from "../api/http.ts";
import type { ApplicationEdge, ApplicationView } from "../api/types.ts";
import { Link } from "../router.tsx";
import { FlowTabs } from "../ui/flow-tabs.tsx";
import { formatCount, label } from "../ui/format.ts";
import { ScrollBox } from "../ui/scroll-box.tsx";
import { Empty, ErrorBox, Loading } from "../ui/states.tsx";

export interface ApplicationsAnswer {
  applications: ApplicationView[];
  application_edges: ApplicationEdge[];
}

export const applicationsQuery = (flowId: string) => ({
  queryKey: ["applications", flowId],
  queryFn: () => api<ApplicationsAnswer>(`/v1/flows/${flowId}/applications`),
});

/** The flow's applications with their asset counts, strategy roll-up and wave; each leads to its assets. */
export function ApplicationsScreen({ flowId }: { flowId: string }) {
  const query = useQuery(applicationsQuery(flowId));
  return (
    <section aria-labelledby="apps-title">
      <FlowTabs flowId={flowId} />
      <h1 id="apps-title">Applications</h1>
      {query.isPending ? (
        <Loading label="Loading applications" />
      ) : query.isError ? (
        <ErrorBox error={query.error} title="The applications cannot be read" />
      ) : query.data.applications.length === 0 ? (
        <Empty>No applications (yet): they appear once application discovery has run.</Empty>
      ) : (
        <ScrollBox label="Applications table">
          <table>
            <caption>{formatCount(query.data.applications.length)} applications</caption>
            <thead>
              <tr>
                <th scope="col">Application</th>
                <th scope="col">Assets</th>
                <th scope="col">Strategy</th>
                <th scope="col">Confidence</th>
                <th scope="col">Wave</th>
                <th scope="col">Found by</th>
              </tr>
            </thead>
            <tbody>
              {[...query.data.applications]
                .sort((a, b) => b.application.asset_row_numbers.length - a.application.asset_row_numbers.length)
                .map(({ application, strategy, wave }) => (
                  <tr key={application.key}>
                    <th scope="row">
                      <Link to={`/flows/${flowId}/assets?application=${encodeURIComponent(application.key)}`}>
                        {application.name || application.key}
                      </Link>
                    </th>
                    <td className="num">{formatCount(application.asset_row_numbers.length)}</td>
                    <td title={strategy?.rationale}>
                      {strategy ? strategy.strategy : "–"}
                      {strategy?.missing_data.length ? (
                        <span className="muted"> (missing: {strategy.missing_data.join(", ")})</span>
                      ) : null}
                    </td>
                    <td className="num">{strategy ? strategy.confidence.toFixed(2) : "–"}</td>
                    <td className="num">{wave || "–"}</td>
                    <td>
                      {label(application.method)} <span className="muted">({application.confidence.toFixed(2)})</span>
                    </td>
                  </tr>
                ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
    </section>
  );
}
