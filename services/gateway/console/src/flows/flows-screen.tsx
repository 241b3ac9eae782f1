import { useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "../api/http.ts";
import { canWrite, type Session } from "../api/session.ts";
import { type Flow, TERMINAL } from "../api/types.ts";
import { Link } from "../router.tsx";
import { FieldSelect } from "../ui/field-select.tsx";
import { formatCount, formatDate, formatDuration, label } from "../ui/format.ts";
import { ScrollBox } from "../ui/scroll-box.tsx";
import { Empty, ErrorBox, Loading, ProgressBar, StatusBadge } from "../ui/states.tsx";
import { allowedActions, FlowActions } from "./flow-actions.tsx";

const STATUSES = ["pending", "running", "awaiting_input", "paused", "completed", "failed", "cancelled"];
const PAGE = 25;

/** Every flow of the tenant, newest first: status filter on the server, name filter on the loaded pages. */
export function FlowsScreen({ session }: { session: Session }) {
  const [status, setStatus] = useState("");
  const [name, setName] = useState("");
  const query = useInfiniteQuery({
    queryKey: ["flows", status],
    queryFn: ({ pageParam }) =>
      api<{ flows: Flow[]; next_cursor: string | null }>(
        `/v1/flows?${new URLSearchParams({ limit: String(PAGE), ...(status ? { status } : {}), ...(pageParam ? { cursor: pageParam } : {}) })}`,
      ),
    initialPageParam: "",
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    // Unfinished flows move: read the list again every few seconds while any is shown.
    refetchInterval: (q) =>
      q.state.data?.pages.some((page) => page.flows.some((f) => !TERMINAL.includes(f.status))) ? 3_000 : false,
  });
  const flows = (query.data?.pages.flatMap((page) => page.flows) ?? []).filter((flow) =>
    flow.name.toLowerCase().includes(name.trim().toLowerCase()),
  );
  const writer = canWrite(session);

  return (
    <section aria-labelledby="flows-title">
      <div className="title-row">
        <h1 id="flows-title">Flows</h1>
        {writer && (
          <Link to="/flows/new" className="button">
            New flow
          </Link>
        )}
      </div>
      <search className="filters" aria-label="Filter flows">
        <FieldSelect label="Status" value={status} onChange={setStatus}>
          <option value="">any</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {label(s)}
            </option>
          ))}
        </FieldSelect>
        <label>
          Name contains
          <input type="search" value={name} onChange={(e) => setName(e.target.value)} />
        </label>
      </search>
      {query.isPending ? (
        <Loading label="Loading flows" />
      ) : query.isError ? (
        <ErrorBox error={query.error} title="The flows could not be read" />
      ) : flows.length === 0 ? (
        <Empty>
          <p>No flows{status || name ? " match these filters" : " yet for this tenant"}.</p>
          {writer && !status && !name && <Link to="/flows/new">Upload an inventory to start one</Link>}
        </Empty>
      ) : (
        <ScrollBox label="Flows table">
          <table className="flows">
            <caption className="sr-only">Flows of tenant {session.clientAccountId}</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Phase</th>
                <th scope="col">Progress</th>
                <th scope="col">Rows</th>
                <th scope="col">Assets</th>
                <th scope="col">Apps</th>
                <th scope="col">Created</th>
                <th scope="col">Duration</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {flows.map((flow) => (
                <tr key={flow.id} className={TERMINAL.includes(flow.status) ? "" : "unfinished"}>
                  <td data-label="Name">
                    <Link to={`/flows/${flow.id}`}>{flow.name || flow.source_filename || flow.id}</Link>
                  </td>
                  <td data-label="Status">
                    <StatusBadge status={flow.status} />
                  </td>
                  <td data-label="Phase">{label(flow.phase)}</td>
                  <td data-label="Progress">
                    <ProgressBar value={flow.progress} label={`Progress of ${flow.name || flow.id}`} />
                  </td>
                  <td data-label="Rows" className="num">
                    {formatCount(flow.raw_record_count)}
                  </td>
                  <td data-label="Assets" className="num">
                    {formatCount(flow.asset_count)}
                  </td>
                  <td data-label="Apps" className="num">
                    {formatCount(flow.application_count)}
                  </td>
                  <td data-label="Created">{formatDate(flow.created_at)}</td>
                  <td data-label="Duration">
                    {formatDuration(
                      flow.created_at,
                      TERMINAL.includes(flow.status) ? flow.completed_at || flow.updated_at : null,
                    )}
                  </td>
                  <td data-label="Actions">
                    {writer && allowedActions(flow).length ? <FlowActions flow={flow} canWrite={writer} /> : "–"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
      {query.hasNextPage && (
        <button
          type="button"
          className="secondary"
          onClick={() => query.fetchNextPage()}
          disabled={query.isFetchingNextPage}
        >
          {query.isFetchingNextPage ? "Loading…" : "Load more flows"}
        </button>
      )}
    </section>
  );
}
