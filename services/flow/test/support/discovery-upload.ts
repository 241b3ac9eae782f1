import type { MessageInitShape } from "@bufbuild/protobuf";
import type { CreateFlowRequestSchema } from "@migrate/gen/flow/v1/flow_pb";
import { uploadParts } from "./upload.ts";

type Part = MessageInitShape<typeof CreateFlowRequestSchema>;

/** A CreateFlow stream with an inventory and, interleaved with it, a connections file. */
export function discoveryUpload(inventoryCsv: string, connectionsCsv?: string, name = "discovery"): Part[] {
  const parts = uploadParts(inventoryCsv, { name, filename: "inventory.csv", contentType: "text/csv" });
  if (!connectionsCsv) return parts;
  const bytes = Buffer.from(connectionsCsv, "utf8");
  const size = 32 * 1024;
  const pieces: Part[] = [];
  for (let at = 0; at < bytes.length; at += size) {
    pieces.push({ part: { case: "connectionsChunk", value: new Uint8Array(bytes.subarray(at, at + size)) } });
  }
  // Half before the inventory's chunks and half after, as a client streaming both files may send them.
  const half = Math.ceil(pieces.length / 2);
  const [header, ...chunks] = parts;
  return [header as Part, ...pieces.slice(0, half), ...chunks, ...pieces.slice(half)];
}
