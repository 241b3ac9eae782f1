import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { type ReactNode, useEffect, useState } from "react";
import { ApiError, apiErrorFrom } from "../api/api-error.ts";
import { api, authorization, reportAuthFailure } from "../api/http.ts";
import type { AssetView } from "../api/types.ts";
import { useRouter } from "../router.tsx";
import { FieldSelect } from "../ui/field-select.tsx";
import { FlowTabs } from "../ui/flow-tabs.tsx";
import { formatCount, label } from "../ui/format.ts";
import { ScrollBox } from "../ui/scroll-box.tsx";
import { Empty, ErrorBox, Loading } from "../ui/states.tsx";

// The values the API filters by (libs/domain's enums); `unknown` is an asset without one.
const STRATEGIES = ["rehost", "relocate", "replatform", "refactor", "repurchase", "retire", "retain", "unknown"];
const ASSET_TYPES = [
  "server",
  "virtual_machine",
  "database",
  "application",
  "network",
  "load_balancer",
  "storage",
  "container",
  "other",
  "unknown",
];
const ENVIRONMENTS = ["production", "staging", "test", "development", "dr", "unknown"];
const OS_FAMILIES = ["windows", "linux", "unix", "other", "unknown"];
const SIZES = [50, 100, 500, 1000];

interface Filters {
  strategy: string;
  environment: string;
  asset_type: string;
  os_family: string;
  application: string;
}
const NO_FILTERS: Filters = { strategy: "", environment: "", asset_type: "", os_family: "", application: "" };

const text = (value: unknown) =>
  value === null || value === undefined ? "" : Array.isArray(value) ? value.join(", ") : String(value);

interface Column {
  key: string;
  header: string;
  numeric?: boolean;
  render: (view: AssetView) => ReactNode;
}
const field =
  (name: string) =>
  (view: AssetView): ReactNode =>
    text(view.asset[name]);
const COLUMNS: Column[] = [
  { key: "row_number", header: "Row", numeric: true, render: field("row_number") },
  { key: "asset_name", header: "Name", render: field("asset_name") },
  { key: "hostname", header: "Hostname", render: field("hostname") },
  { key: "ip_addresses", header: "IP addresses", render: field("ip_addresses") },
  { key: "asset_type", header: "Type", render: (v) => label(text(v.asset.asset_type)) },
  { key: "environment", header: "Environment", render: field("environment") },
  { key: "operating_system", header: "OS", render: (v) => text(v.asset.operating_system) || text(v.asset.os_family) },
  { key: "cpu_cores", header: "Cores", numeric: true, render: field("cpu_cores") },
  { key: "memory_gb", header: "Memory GB", numeric: true, render: field("memory_gb") },
  { key: "storage_gb", header: "Storage GB", numeric: true, render: field("storage_gb") },
  { key: "datacenter", header: "Data center", render: field("datacenter") },
  { key: "criticality", header: "Criticality", render: field("criticality") },
  { key: "application", header: "Application", render: (v) => v.application_key },
  {
    key: "strategy",
    header: "Strategy",
    render: (v) => (v.strategy ? `${v.strategy.strategy} (${v.strategy.confidence.toFixed(2)})` : "–"),
  },
  { key: "wave", header: "Wave", numeric: true, render: (v) => v.wave || "–" },
];
const OPTIONAL_HIDDEN = ["ip_addresses", "storage_gb", "datacenter", "criticality"];

/** Every field the asset has, its strategy's rationale and the data it missed. */
function AssetDetail({ view, onClose }: { view: AssetView; onClose: () => void }) {
  const fields = Object.entries(view.asset).filter(
    ([, value]) => value !== null && value !== "" && !(Array.isArray(value) && value.length === 0),
  );
  return (
    <section
      className="card asset-detail"
      aria-labelledby="asset-detail-title"
      ref={(node) => node?.focus()}
      tabIndex={-1}
    >
      <div className="title-row">
        <h2 id="asset-detail-title">
          Asset {text(view.asset.row_number)}: {text(view.asset.asset_name) || text(view.asset.hostname)}
        </h2>
        <button type="button" className="secondary" onClick={onClose}>
          Close details
        </button>
      </div>
      {view.strategy && (
        <p>
          <strong>{view.strategy.strategy}</strong> ({view.strategy.confidence.toFixed(2)}): {view.strategy.rationale}
          {view.strategy.missing_data.length > 0 && (
            <span className="muted">
              {" "}
              Missing data that lowered the confidence: {view.strategy.missing_data.join(", ")}.
            </span>
          )}
        </p>
      )}
      <dl className="fields">
        {fields.map(([name, value]) => (
          <div key={name}>
            <dt>{label(name)}</dt>
            <dd>{typeof value === "object" && !Array.isArray(value) ? JSON.stringify(value) : text(value)}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

/** The filters set, as query parameters of `/assets` and `/export`. */
function filterParams(filters: Filters): Record<string, string> {
  return Object.fromEntries(Object.entries(filters).filter(([, value]) => value));
}

/** Waits for a pause in typing before a text filter goes to the server. */
function useDebounced(value: string, ms: number): string {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/**
 * The flow's assets, filtered and paged by the server (cursor, up to 1,000 a page), so it stays
 * fast however large the inventory; the export streams the same filter's assets.
 */
export function AssetsScreen({ flowId }: { flowId: string }) {
  const [size, setSize] = useState(100);
  const [cursors, setCursors] = useState<string[]>([""]);
  const { search } = useRouter();
  const [draft, setDraft] = useState<Filters>(() => ({
    ...NO_FILTERS,
    application: search.get("application") ?? "",
  }));
  const application = useDebounced(draft.application.trim(), 300);
  const filters: Filters = { ...draft, application };
  const params = filterParams(filters);
  const [exporting, setExporting] = useState(false);
  const [hidden, setHidden] = useState<Set<string>>(() => new Set(OPTIONAL_HIDDEN));
  const [selected, setSelected] = useState<AssetView | null>(null);
  const shownColumns = COLUMNS.filter((column) => !hidden.has(column.key));
  const [exportError, setExportError] = useState<unknown>(null);
  const cursor = cursors.at(-1) ?? "";
  const page = useQuery({
    queryKey: ["assets", flowId, size, cursor, params],
    queryFn: () =>
      api<{ assets: AssetView[]; next_cursor: string | null; total: number }>(
        `/v1/flows/${flowId}/assets?${new URLSearchParams({ limit: String(size), ...(cursor ? { cursor } : {}), ...params })}`,
      ),
    placeholderData: keepPreviousData,
  });
  // A new filter starts again at its first page.
  const filterKey = JSON.stringify(params);
  const [pagedFilter, setPagedFilter] = useState(filterKey);
  if (pagedFilter !== filterKey) {
    setPagedFilter(filterKey);
    setCursors([""]);
  }
  const set = (name: keyof Filters) => (value: string) => setDraft({ ...draft, [name]: value });
  const rows = page.data?.assets ?? [];
  const filtered = Object.keys(params).length > 0;

  const exportCsv = async () => {
    setExporting(true);
    setExportError(null);
    try {
      // The server filters the export; the bearer token rides in a header, so the file is fetched, not linked.
      const query = new URLSearchParams({ format: "csv", ...params });
      const res = await fetch(`/v1/flows/${flowId}/export?${query}`, { headers: { authorization: authorization() } });
      if (!res.ok) {
        const error = apiErrorFrom(res.status, await res.json().catch(() => null));
        reportAuthFailure(error);
        throw error;
      }
      const blob = await res.blob();
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      const suffix = Object.entries(params)
        .map(([name, value]) => `-${name}-${value}`)
        .join("")
        .replace(/[^A-Za-z0-9_-]/g, "_");
      link.download = `flow-${flowId}-assets${suffix}.csv`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    } catch (error) {
      setExportError(error instanceof ApiError ? error : new Error("the export could not be read"));
    } finally {
      setExporting(false);
    }
  };

  return (
    <section aria-labelledby="assets-title">
      <FlowTabs flowId={flowId} />
      <div className="title-row">
        <h1 id="assets-title">Assets</h1>
        <button type="button" onClick={exportCsv} disabled={exporting}>
          {exporting ? "Exporting…" : "Export CSV (current filter)"}
        </button>
      </div>
      {exportError != null && <ErrorBox error={exportError} title="The export failed" />}
      <search className="filters" aria-label="Filter assets">
        <Select label="Strategy" value={draft.strategy} options={STRATEGIES} onChange={set("strategy")} />
        <Select label="Type" value={draft.asset_type} options={ASSET_TYPES} onChange={set("asset_type")} />
        <Select label="Environment" value={draft.environment} options={ENVIRONMENTS} onChange={set("environment")} />
        <Select label="OS family" value={draft.os_family} options={OS_FAMILIES} onChange={set("os_family")} />
        <label>
          Application key
          <input type="search" value={draft.application} onChange={(e) => set("application")(e.target.value)} />
        </label>
        <details className="chooser">
          <summary>Columns</summary>
          <fieldset>
            <legend className="sr-only">Columns shown</legend>
            {COLUMNS.filter((column) => column.key !== "row_number").map((column) => (
              <label key={column.key} className="check">
                <input
                  type="checkbox"
                  aria-label={`${column.header} column`}
                  checked={!hidden.has(column.key)}
                  onChange={() => {
                    const next = new Set(hidden);
                    if (next.has(column.key)) next.delete(column.key);
                    else next.add(column.key);
                    setHidden(next);
                  }}
                />
                {column.header}
              </label>
            ))}
          </fieldset>
        </details>
        <FieldSelect
          label="Page size"
          value={size}
          onChange={(value) => {
            setSize(Number(value));
            setCursors([""]);
          }}
        >
          {SIZES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </FieldSelect>
      </search>
      {page.isPending ? (
        <Loading label="Loading assets" />
      ) : page.isError ? (
        <ErrorBox error={page.error} title="The assets cannot be read" />
      ) : rows.length === 0 ? (
        <Empty>{filtered ? "No asset matches the filters." : "This flow has no assets (yet)."}</Empty>
      ) : (
        <ScrollBox label="Assets table">
          <table className="assets" aria-busy={page.isPlaceholderData}>
            <caption>
              {formatCount(rows.length)} on this page · {formatCount(page.data.total)}{" "}
              {filtered ? "assets match the filters" : "assets in the flow"}
            </caption>
            <thead>
              <tr>
                {shownColumns.map((column) => (
                  <th key={column.key} scope="col">
                    {column.header}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((view, index) => (
                <tr key={text(view.asset.row_number) || index}>
                  {shownColumns.map((column) =>
                    column.key === "row_number" ? (
                      <td key={column.key} data-column={column.key} className="num">
                        <button
                          type="button"
                          className="link-button"
                          aria-label={`${text(view.asset.row_number)}: details of ${text(view.asset.asset_name) || "this asset"}`}
                          onClick={() => setSelected(view)}
                        >
                          {text(view.asset.row_number)}
                        </button>
                      </td>
                    ) : (
                      <td
                        key={column.key}
                        data-column={column.key}
                        className={column.numeric ? "num" : undefined}
                        title={column.key === "strategy" ? view.strategy?.rationale : undefined}
                      >
                        {column.render(view)}
                      </td>
                    ),
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
      {selected && <AssetDetail view={selected} onClose={() => setSelected(null)} />}
      <nav className="pager" aria-label="Asset pages">
        <button
          type="button"
          className="secondary"
          disabled={cursors.length < 2}
          onClick={() => setCursors(cursors.slice(0, -1))}
        >
          Previous page
        </button>
        <span>Page {cursors.length}</span>
        <button
          type="button"
          className="secondary"
          disabled={!page.data?.next_cursor}
          onClick={() => page.data?.next_cursor && setCursors([...cursors, page.data.next_cursor])}
        >
          Next page
        </button>
      </nav>
    </section>
  );
}

function Select(props: { label: string; value: string; options: string[]; onChange: (value: string) => void }) {
  return (
    <FieldSelect label={props.label} value={props.value} onChange={props.onChange}>
      <option value="">any</option>
      {props.options.map((option) => (
        <option key={option} value={option}>
          {label(option)}
        </option>
      ))}
    </FieldSelect>
  );
}
