import { toJsonString } from "@bufbuild/protobuf";
import type { Kysely } from "@migrate/db";
import { MeshError } from "@migrate/errors";
import { AssetViewSchema } from "@migrate/gen/flow/v1/flow_pb";
import type { FlowDatabase } from "../db/flow-database.ts";
import { assetCsvHeader, assetCsvLine } from "./asset-csv.ts";
import type { AssetFilter } from "./asset-filter.ts";
import { assetRowPages, customAttributeKeys } from "./asset-queries.ts";
import { toAssetView } from "./asset-view.ts";

export type ExportFormat = "csv" | "json";

const CHUNK_BYTES = 64 * 1024;

/** csv when empty; anything but csv or json is refused before a byte is streamed. */
export function exportFormat(format: string): ExportFormat {
  const name = format.trim().toLowerCase();
  if (name === "" || name === "csv") return "csv";
  if (name === "json") return "json";
  throw new MeshError("INVALID_ARGUMENT", `unknown export format "${format.slice(0, 32)}": use csv or json`, {
    field: "format",
    value: format.slice(0, 32),
    valid: ["csv", "json"],
  });
}

// Text is gathered until a chunk is full; the producer never runs ahead of the consumer by more.
async function* chunked(pieces: AsyncIterable<string>): AsyncGenerator<Uint8Array> {
  let parts: string[] = [];
  let size = 0;
  for await (const piece of pieces) {
    parts.push(piece);
    size += piece.length;
    if (size >= CHUNK_BYTES) {
      yield Buffer.from(parts.join(""), "utf8");
      parts = [];
      size = 0;
    }
  }
  if (size > 0) yield Buffer.from(parts.join(""), "utf8");
}

async function* csvText(db: Kysely<FlowDatabase>, flowId: string, filter: AssetFilter): AsyncGenerator<string> {
  const customKeys = await customAttributeKeys(db, flowId, filter);
  yield assetCsvHeader(customKeys);
  for await (const rows of assetRowPages(db, flowId, filter)) {
    for (const row of rows) yield assetCsvLine(toAssetView(row), row, customKeys);
  }
}

async function* jsonText(db: Kysely<FlowDatabase>, flowId: string, filter: AssetFilter): AsyncGenerator<string> {
  yield "[";
  let first = true;
  for await (const rows of assetRowPages(db, flowId, filter)) {
    for (const row of rows) {
      yield `${first ? "\n" : ",\n"}${toJsonString(AssetViewSchema, toAssetView(row), { useProtoFieldName: true })}`;
      first = false;
    }
  }
  yield first ? "]\n" : "\n]\n";
}

/**
 * The flow's assets the filter keeps (duplicates left out) as CSV or a JSON array of AssetView objects, in
 * chunks of about 64 KiB, read from the database 1,000 assets at a time.
 */
export function exportAssetChunks(
  db: Kysely<FlowDatabase>,
  flowId: string,
  format: ExportFormat,
  filter: AssetFilter,
): AsyncGenerator<Uint8Array> {
  return chunked(format === "csv" ? csvText(db, flowId, filter) : jsonText(db, flowId, filter));
}
