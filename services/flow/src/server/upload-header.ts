import { MeshError } from "@migrate/errors";
import type { CreateFlowHeader, CreateFlowRequest } from "@migrate/gen/flow/v1/flow_pb";

const MAX_NAME = 200;
const MAX_FILENAME = 255;

export interface UploadParts {
  header: { name: string; filename: string; contentType: string };
  chunks: AsyncGenerator<Uint8Array>;
  /**
   * The connections file, whole (its parts may arrive before, between or after the inventory's);
   * undefined when none was sent. Call once the inventory is read: it drains the rest of the stream.
   */
  connections(): Promise<Buffer | undefined>;
}

/**
 * Splits a CreateFlow stream into its header (the first message, and only the first), the
 * inventory's byte chunks after it, and the optional connections file, buffered up to
 * `maxConnectionsBytes` (PAYLOAD_TOO_LARGE beyond).
 */
export async function splitUpload(
  requests: AsyncIterable<CreateFlowRequest>,
  options: { maxConnectionsBytes: number } = { maxConnectionsBytes: Number.POSITIVE_INFINITY },
): Promise<UploadParts> {
  const iterator = requests[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done || first.value.part.case !== "header") {
    throw new MeshError("INVALID_ARGUMENT", "the first CreateFlow message must carry the header", { field: "header" });
  }
  const header = checkHeader(first.value.part.value);
  const connectionParts: Uint8Array[] = [];
  let connectionBytes = 0;
  let ended = false;
  // The next inventory chunk, buffering connection parts met on the way; undefined at the end.
  const nextChunk = async (): Promise<Uint8Array | undefined> => {
    while (!ended) {
      const next = await iterator.next();
      if (next.done) {
        ended = true;
        return undefined;
      }
      const part = next.value.part;
      if (part.case === "chunk") return part.value;
      if (part.case === "connectionsChunk") {
        connectionBytes += part.value.length;
        if (connectionBytes > options.maxConnectionsBytes) {
          throw new MeshError(
            "PAYLOAD_TOO_LARGE",
            `the connections file exceeds the limit of ${options.maxConnectionsBytes} bytes`,
            { field: "connections", limit: options.maxConnectionsBytes },
          );
        }
        connectionParts.push(part.value);
      } else if (part.case === "header") {
        throw new MeshError("INVALID_ARGUMENT", "only the first CreateFlow message may carry the header", {
          field: "header",
        });
      }
    }
    return undefined;
  };
  async function* chunks(): AsyncGenerator<Uint8Array> {
    try {
      for (let chunk = await nextChunk(); chunk; chunk = await nextChunk()) yield chunk;
    } catch (error) {
      void iterator.return?.();
      throw error;
    }
  }
  return {
    header,
    chunks: chunks(),
    connections: async () => {
      try {
        // Inventory chunks after the inventory reader stopped would be a malformed stream: ignored.
        while (await nextChunk()) {}
      } finally {
        void iterator.return?.();
      }
      return connectionParts.length ? Buffer.concat(connectionParts, connectionBytes) : undefined;
    },
  };
}

function checkHeader(header: CreateFlowHeader): UploadParts["header"] {
  // Browsers may send a full client path (C:\fakepath\x.csv); only the base name is kept.
  const filename = header.filename.split(/[\\/]/).pop()?.trim() ?? "";
  const name = header.name.trim() || filename.replace(/\.[^.]*$/, "");
  if (!name) throw new MeshError("INVALID_ARGUMENT", "a flow name is required", { field: "name" });
  if (name.length > MAX_NAME) {
    throw new MeshError("INVALID_ARGUMENT", `the flow name is longer than ${MAX_NAME} characters`, { field: "name" });
  }
  if (filename.length > MAX_FILENAME) {
    throw new MeshError("INVALID_ARGUMENT", `the filename is longer than ${MAX_FILENAME} characters`, {
      field: "filename",
    });
  }
  return { name, filename, contentType: header.contentType };
}
