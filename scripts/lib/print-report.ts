/** The assessment summary of a flow's `/report`, as the CLI and the demo print it. */
import type { Count, FieldMappingJson, FlowReport } from "./gateway-client.ts";

export function formatReport(report: FlowReport): string {
  const { flow } = report;
  const lines: string[] = [];
  const total = report.asset_count || 1;
  const counts = (title: string, items: Count[], of = total) => {
    lines.push(`  ${title}`);
    if (items.length === 0) lines.push("    (none)");
    for (const { key, count } of items) {
      const share = `${((100 * count) / of).toFixed(1)}%`.padStart(6);
      lines.push(`    ${(key || "(unknown)").padEnd(22)} ${fmt(count).padStart(8)}  ${share}`);
    }
  };
  lines.push(`Assessment of "${flow.name}" (flow ${flow.id})`);
  lines.push(
    `  ${plural(flow.raw_record_count, "row")} in, ${plural(report.asset_count, "asset")} ` +
      `(${plural(report.duplicate_count, "duplicate")} merged), ${plural(report.dependency_count, "dependency", "dependencies")}, ` +
      `${plural(report.application_count, "application")}, ${plural(report.wave_count, "wave")}`,
  );
  counts("Asset types", report.by_asset_type);
  counts("Environments", report.by_environment);
  counts("OS families", report.by_os_family);
  counts("Strategies (per asset)", report.by_strategy);
  const apps = report.application_strategies.reduce((sum, item) => sum + item.count, 0) || 1;
  counts("Strategies (per application)", report.application_strategies, apps);
  lines.push(`  Data quality             ${(report.data_quality * 100).toFixed(1)}% (mean row score)`);
  // The codes below count every issue, infos included; "open" counts only warnings and errors.
  const issueCount = report.issues_by_code.reduce((sum, item) => sum + item.count, 0);
  lines.push(
    `  Issues                   ${fmt(issueCount)}, ${fmt(report.open_issue_count)} open (warnings and errors)`,
  );
  for (const { key, count } of report.issues_by_code.slice(0, 8)) {
    lines.push(`    ${key.padEnd(22)} ${fmt(count).padStart(8)}`);
  }
  for (const notice of flow.notices ?? []) lines.push(`  Note: ${notice}`);
  const started = Date.parse(flow.created_at);
  const ended = Date.parse(flow.completed_at || (flow.updated_at as string));
  if (Number.isFinite(started) && Number.isFinite(ended)) {
    lines.push(`  Elapsed                  ${((ended - started) / 1000).toFixed(2)} s (upload to ${flow.status})`);
  }
  return lines.join("\n");
}

/** `source → target (confidence)`, one per line; an empty target stays a custom attribute. */
export function formatMappings(mappings: FieldMappingJson[]): string {
  const width = Math.min(32, Math.max(...mappings.map((m) => m.source.length), 6));
  return mappings
    .map((m) => {
      const line = `    ${m.source.padEnd(width)} → ${(m.target || "(custom attribute)").padEnd(24)} (${m.confidence.toFixed(2)})`;
      // Why, in the mapper's words, with the unit read, what else it could be, and what it duplicates.
      const details = [
        m.unit ? `unit ${m.unit}` : "",
        m.sibling ? `duplicates ${m.sibling}` : "",
        m.alternatives?.length
          ? `or: ${m.alternatives.map((a) => `${a.target} (${a.confidence.toFixed(2)})`).join(", ")}`
          : "",
      ].filter(Boolean);
      const indent = " ".repeat(width + 7);
      return [line, m.reason ? `${indent}${m.reason}` : "", details.length ? `${indent}${details.join("; ")}` : ""]
        .filter(Boolean)
        .join("\n");
    })
    .join("\n");
}

function plural(count: number, one: string, many = `${one}s`): string {
  return `${fmt(count)} ${count === 1 ? one : many}`;
}

function fmt(value: number): string {
  return Number(value).toLocaleString("en-US");
}
