import { randomUUID } from "node:crypto";
import type { Redis } from "@migrate/cache";
import { MeshError } from "@migrate/errors";

/** The outcome of claiming an idempotency key for a create. */
export type IdempotencyClaim =
  | {
      state: "claimed";
      /** Records the flow this key created; replays return it for `doneTtlSeconds`. */
      complete(flowId: string): Promise<void>;
      /** Frees the key after a failed create, so the client may retry with it. */
      release(): Promise<void>;
    }
  | { state: "in_progress" }
  | { state: "done"; flowId: string };

export interface IdempotencyStore {
  claim(clientAccountId: string, key: string): Promise<IdempotencyClaim>;
}

export interface IdempotencyOptions {
  keyPrefix: string;
  /** How long a completed key replays its flow. */
  doneTtlSeconds?: number;
  /** How long a claim survives a gateway that died mid-upload before the key frees itself. */
  pendingTtlSeconds?: number;
}

const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

// Only the claim's owner may complete or release it: a slow create whose claim expired and was
// re-claimed by a retry must not overwrite the newer owner's state.
const COMPLETE_IF_OWNER = `if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("SET", KEYS[1], ARGV[2], "EX", ARGV[3]) else return nil end`;
const RELEASE_IF_OWNER = `if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1]) else return 0 end`;

/**
 * Idempotency keys per tenant in Redis (`<prefix>idem:<client_account_id>:<key>`): the first
 * request claims the key with SET NX and a pending marker, so concurrent duplicates can never
 * both create; the marker becomes the created flow's id once the create succeeds.
 */
export function createIdempotencyStore(redis: Redis, options: IdempotencyOptions): IdempotencyStore {
  const doneTtl = options.doneTtlSeconds ?? 24 * 3600;
  const pendingTtl = options.pendingTtlSeconds ?? 15 * 60;
  return {
    async claim(clientAccountId, key) {
      if (!KEY_FORMAT.test(key)) {
        throw new MeshError("INVALID_ARGUMENT", "Idempotency-Key must be 1-255 visible ASCII characters", {
          field: "Idempotency-Key",
        });
      }
      const redisKey = `${options.keyPrefix}idem:${clientAccountId}:${key}`;
      const marker = JSON.stringify({ state: "pending", owner: randomUUID() });
      return unavailableOnFailure(async () => {
        // A key released between our SET NX and GET is simply claimed again.
        for (let attempt = 0; attempt < 3; attempt++) {
          if ((await redis.set(redisKey, marker, "EX", pendingTtl, "NX")) === "OK") {
            return {
              state: "claimed",
              complete: (flowId) =>
                unavailableOnFailure(async () => {
                  const done = JSON.stringify({ state: "done", flow_id: flowId });
                  await redis.eval(COMPLETE_IF_OWNER, 1, redisKey, marker, done, doneTtl);
                }),
              release: () =>
                unavailableOnFailure(async () => void (await redis.eval(RELEASE_IF_OWNER, 1, redisKey, marker))),
            } satisfies IdempotencyClaim;
          }
          const current = await redis.get(redisKey);
          if (current === null) continue;
          const parsed = JSON.parse(current) as { state: string; flow_id?: string };
          if (parsed.state === "done" && parsed.flow_id) return { state: "done", flowId: parsed.flow_id };
          return { state: "in_progress" };
        }
        return { state: "in_progress" };
      });
    },
  };
}

async function unavailableOnFailure<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw new MeshError("UNAVAILABLE", "idempotency store is unavailable", { downstream: "redis" }, { cause: error });
  }
}
