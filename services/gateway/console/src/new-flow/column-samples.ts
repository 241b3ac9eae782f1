import { parseCsv } from "../assets/csv.ts";

/** A few values of each column, by column name. */
export type ColumnSamples = Record<string, string[]>;

const KEY = "migrate-console-samples:";
const HEAD_BYTES = 256 * 1024;
const PER_COLUMN = 3;

/**
 * Reads the first rows of the file the person is uploading, so the mapping review can show a few
 * values of each column next to it (the mappings API returns none). Kept in this tab only.
 */
export async function readColumnSamples(file: File): Promise<ColumnSamples> {
  const head = (await file.slice(0, HEAD_BYTES).text()).replace(/^\uFEFF/, "");
  const samples: ColumnSamples = {};
  const add = (column: string, value: unknown) => {
    const text = value === null || value === undefined ? "" : String(value).trim();
    const list = samples[column] ?? [];
    samples[column] = list;
    if (text && list.length < PER_COLUMN && !list.includes(text)) list.push(text.slice(0, 60));
  };
  if (head.trimStart().startsWith("[")) {
    // Only a whole small JSON array can be read from its head.
    if (file.size > HEAD_BYTES) return samples;
    try {
      const records = JSON.parse(head) as unknown;
      if (!Array.isArray(records)) return samples;
      for (const record of records.slice(0, 50)) {
        if (record && typeof record === "object")
          for (const [column, value] of Object.entries(record as Record<string, unknown>)) add(column, value);
      }
    } catch {}
    return samples;
  }
  const firstLine = head.slice(0, head.indexOf("\n") >= 0 ? head.indexOf("\n") : head.length);
  const delimiter = [",", ";", "\t", "|"].reduce((best, d) =>
    firstLine.split(d).length > firstLine.split(best).length ? d : best,
  );
  // The last row may be cut by the slice: leave it out.
  const [header = [], ...rows] = parseCsv(head, delimiter).slice(0, file.size > HEAD_BYTES ? -1 : undefined);
  for (const row of rows.slice(0, 50)) {
    header.forEach((column, i) => {
      add(column.trim(), row[i]);
    });
  }
  return samples;
}

export function saveColumnSamples(flowId: string, samples: ColumnSamples): void {
  try {
    sessionStorage.setItem(KEY + flowId, JSON.stringify(samples));
  } catch {}
}

export function loadColumnSamples(flowId: string): ColumnSamples {
  try {
    return JSON.parse(sessionStorage.getItem(KEY + flowId) ?? "{}") as ColumnSamples;
  } catch {
    return {};
  }
}
