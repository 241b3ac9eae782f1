import type { MessageInitShape } from "@bufbuild/protobuf";
import type { CreateFlowRequestSchema } from "@migrate/gen/flow/v1/flow_pb";
import type { TenantContext } from "@migrate/grpc";

type Part = MessageInitShape<typeof CreateFlowRequestSchema>;

/** The messages of one CreateFlow call: the header, then the content in `chunkSize` pieces. */
export function uploadParts(
  content: string | Buffer,
  header: { name?: string; filename?: string; contentType?: string } = {},
  chunkSize = 64 * 1024,
): Part[] {
  const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  const parts: Part[] = [
    {
      part: {
        case: "header",
        value: {
          name: header.name ?? "inventory",
          filename: header.filename ?? "inventory.csv",
          contentType: header.contentType ?? "text/csv",
        },
      },
    },
  ];
  for (let at = 0; at < bytes.length; at += chunkSize) {
    parts.push({ part: { case: "chunk", value: new Uint8Array(bytes.subarray(at, at + chunkSize)) } });
  }
  return parts;
}

export function tenant(clientAccountId: string, engagementId = ""): TenantContext {
  return { clientAccountId, engagementId, userId: "tester", requestId: `req-${Math.random()}`, roles: [] };
}
