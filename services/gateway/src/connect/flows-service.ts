import type { ServiceImpl } from "@connectrpc/connect";
import { MeshError } from "@migrate/errors";
import type { FlowsService } from "@migrate/gen/gateway/v1/gateway_pb";
import { chunkStream, payloadTooLarge } from "../flows/chunk-stream.ts";
import type { FlowEventFeed } from "../flows/flow-event-feed.ts";
import { type FlowClient, type FlowOperations, inventoryParts, type UploadPart } from "../flows/flow-operations.ts";
import { inventoryMediaType } from "../flows/inventory-media-type.ts";
import { parseListOptions } from "../flows/list-options.ts";
import { nameOrDefault } from "../rest/read-upload.ts";
import { discoveryMethods } from "./discovery-methods.ts";
import { requireTenant } from "./interceptors.ts";

/**
 * `migrate.gateway.v1.FlowsService`: the REST flow operations over Connect, with the same
 * validation, idempotency and errors. A replayed create sets the `idempotent-replayed` header.
 */
export function flowsService(deps: {
  operations: FlowOperations;
  flow: FlowClient;
  feed: FlowEventFeed;
  maxUploadBytes: number;
}): ServiceImpl<typeof FlowsService> {
  return {
    ...discoveryMethods(deps),
    async createFlow(req, ctx) {
      const tenant = requireTenant(ctx.values);
      const contentType = inventoryMediaType(req.contentType || undefined, req.filename);
      if (!contentType) {
        throw new MeshError("UNSUPPORTED_MEDIA_TYPE", "content_type must be text/csv or application/json", {
          field: "content_type",
          value: req.contentType,
          valid: ["text/csv", "application/json"],
        });
      }
      if (req.content.length > deps.maxUploadBytes) throw payloadTooLarge(deps.maxUploadBytes);
      if (req.connections.length > deps.maxUploadBytes) throw payloadTooLarge(deps.maxUploadBytes, "connections");
      if (req.name.length > 200) {
        throw new MeshError("INVALID_ARGUMENT", "name is longer than 200 characters", { field: "name" });
      }
      const { flow, replayed } = await deps.operations.create({
        tenant,
        idempotencyKey: req.idempotencyKey || undefined,
        openUpload: async () => ({
          name: nameOrDefault(req.name, req.filename),
          filename: req.filename,
          contentType,
          parts: parts(req.content, req.connections, deps.maxUploadBytes),
        }),
        signal: ctx.signal,
      });
      if (replayed) ctx.responseHeader.set("idempotent-replayed", "true");
      return { flow };
    },
    async getFlow(req, ctx) {
      const flow = await deps.operations.get(requireTenant(ctx.values), req.flowId, ctx.signal);
      return { flow };
    },
    async listFlows(req, ctx) {
      const options = parseListOptions({ status: req.status, limit: req.limit, cursor: req.cursor });
      const page = await deps.operations.list(requireTenant(ctx.values), options, ctx.signal);
      return { flows: page.flows, nextCursor: page.nextCursor };
    },
  };
}

async function* parts(content: Uint8Array, connections: Uint8Array, maxBytes: number): AsyncGenerator<UploadPart> {
  yield* inventoryParts(chunkStream([content], { maxBytes }));
  if (connections.length === 0) return;
  for await (const bytes of chunkStream([connections], { maxBytes, what: "connections file", field: "connections" })) {
    yield { kind: "connections", bytes };
  }
}
