import { MeshError } from "@migrate/errors";
import type { CreateFlowHeader, CreateFlowRequest } from "@migrate/gen/flow/v1/flow_pb";

const MAX_NAME = 200;
const MAX_FILENAME = 255;

export interface UploadParts {
  header: { name: string; filename: string; contentType: string };
  chunks: AsyncGenerator<Uint8Array>;
}

/**
 * Splits a CreateFlow stream into its header (the first message, and only the first) and the
 * byte chunks after it.
 */
export async function splitUpload(requests: AsyncIterable<CreateFlowRequest>): Promise<UploadParts> {
  const iterator = requests[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done || first.value.part.case !== "header") {
    throw new MeshError("INVALID_ARGUMENT", "the first CreateFlow message must carry the header", { field: "header" });
  }
  const header = checkHeader(first.value.part.value);
  async function* chunks(): AsyncGenerator<Uint8Array> {
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        const part = next.value.part;
        if (part.case === "chunk") yield part.value;
        else if (part.case === "header") {
          throw new MeshError("INVALID_ARGUMENT", "only the first CreateFlow message may carry the header", {
            field: "header",
          });
        }
      }
    } finally {
      void iterator.return?.();
    }
  }
  return { header, chunks: chunks() };
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
