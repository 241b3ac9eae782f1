import type { GenService } from "@bufbuild/protobuf/codegenv2";
import { MeshError } from "@migrate/errors";
import type { Flow, FlowService } from "@migrate/gen/flow/v1/flow_pb";
import type { ServiceClient, TenantContext } from "@migrate/grpc";
import type { Logger } from "@migrate/logger";
import type { IdempotencyStore } from "./idempotency-store.ts";
import type { InventoryMediaType } from "./inventory-media-type.ts";
import type { ListOptions } from "./list-options.ts";

export type FlowClient = ServiceClient<typeof FlowService extends GenService<infer M> ? M : never>;

/** A piece of an upload: of the inventory, or of the optional connections file. */
export interface UploadPart {
  kind: "inventory" | "connections";
  bytes: Uint8Array;
}

/** An upload ready to forward: the header, then its parts, read only when iterated. */
export interface Upload {
  name: string;
  filename: string;
  contentType: InventoryMediaType;
  parts: AsyncIterable<UploadPart>;
}

/** An inventory's chunks as upload parts. */
export async function* inventoryParts(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<UploadPart> {
  for await (const bytes of chunks) yield { kind: "inventory", bytes };
}

export interface CreateFlowInput {
  tenant: TenantContext;
  idempotencyKey?: string;
  /** Opens the upload only when a flow is really created, so a replay never reads the body. */
  openUpload: () => Promise<Upload>;
  signal?: AbortSignal;
}

export interface FlowOperations {
  /** `replayed` is true when an earlier request with the same Idempotency-Key created the flow. */
  create(input: CreateFlowInput): Promise<{ flow: Flow; replayed: boolean }>;
  get(tenant: TenantContext, flowId: string, signal?: AbortSignal): Promise<Flow>;
  list(
    tenant: TenantContext,
    options: ListOptions,
    signal?: AbortSignal,
  ): Promise<{ flows: Flow[]; nextCursor: string }>;
}

/** The flow API both REST and Connect serve, over FlowService's gRPC client. */
export function createFlowOperations(deps: {
  flow: FlowClient;
  idempotency: IdempotencyStore;
  /** Deadline for a whole upload: slow clients on big files need far more than a unary call. */
  uploadTimeoutMs?: number;
  logger: Logger;
}): FlowOperations {
  const uploadTimeoutMs = deps.uploadTimeoutMs ?? 15 * 60_000;

  const createNow = async (input: CreateFlowInput): Promise<Flow> => {
    const upload = await input.openUpload();
    async function* messages() {
      yield {
        part: {
          case: "header" as const,
          value: { name: upload.name, filename: upload.filename, contentType: upload.contentType },
        },
      };
      // The flow service takes connection parts before, between or after the inventory's.
      for await (const { kind, bytes } of upload.parts) {
        yield kind === "inventory"
          ? { part: { case: "chunk" as const, value: bytes } }
          : { part: { case: "connectionsChunk" as const, value: bytes } };
      }
    }
    const response = await deps.flow.createFlow(messages(), {
      tenant: input.tenant,
      timeoutMs: uploadTimeoutMs,
      signal: input.signal,
    });
    if (!response.flow) throw new MeshError("INTERNAL", "flow service returned no flow");
    return response.flow;
  };

  const get = async (tenant: TenantContext, flowId: string, signal?: AbortSignal) => {
    if (!flowId) throw new MeshError("INVALID_ARGUMENT", "flow id is required", { field: "flow_id" });
    const response = await deps.flow.getFlow({ flowId }, { tenant, signal });
    if (!response.flow) throw new MeshError("NOT_FOUND", "flow not found");
    return response.flow;
  };

  return {
    async create(input) {
      if (!input.idempotencyKey) return { flow: await createNow(input), replayed: false };
      const claim = await deps.idempotency.claim(input.tenant.clientAccountId, input.idempotencyKey);
      if (claim.state === "in_progress") {
        throw new MeshError("CONFLICT", "request with this Idempotency-Key is in progress", {
          field: "Idempotency-Key",
        });
      }
      if (claim.state === "done") return { flow: await get(input.tenant, claim.flowId, input.signal), replayed: true };
      let flow: Flow;
      try {
        flow = await createNow(input);
      } catch (error) {
        await claim.release().catch(() => {});
        throw error;
      }
      // The flow exists whatever Redis says now: report success. The claim then stays pending
      // until its TTL, so retries meanwhile get CONFLICT rather than a second flow.
      await claim.complete(flow.id).catch((error) => {
        deps.logger.warn({ err: error, flow_id: flow.id }, "could not record idempotency key");
      });
      return { flow, replayed: false };
    },
    get,
    async list(tenant, options, signal) {
      const response = await deps.flow.listFlows(
        { status: options.status, limit: options.limit, cursor: options.cursor },
        { tenant, signal },
      );
      return { flows: response.flows, nextCursor: response.nextCursor };
    },
  };
}
