import type { Metadata } from "@grpc/grpc-js";
import { createExpiringCache } from "@migrate/cache";
import { TENANT_ID } from "@migrate/domain";
import { MeshError } from "@migrate/errors";
import { type JWTPayload, jwtVerify, SignJWT } from "jose";
import type { TenantContext } from "./tenant-context.ts";

/**
 * Service-to-service trust. A caller's tenant and roles are believed only when they arrive in a
 * short-lived token signed with the mesh key (HS256, `MESH_SECRET`), which only the mesh's own
 * services hold: the gateway signs what it verified from the user's token, the flow engine signs
 * for the flows it works. Plain metadata (`x-client-account-id`, `x-roles`) is never read, so a
 * process that merely reaches a gRPC port cannot assert a tenant or a role.
 */
export interface MeshCredentials {
  /** The token that carries `tenant` on an outgoing call (cached for most of its life). */
  sign(tenant: TenantContext): Promise<string>;
  /** The verified tenant of an incoming call; UNAUTHENTICATED when the token is missing or bad. */
  verify(metadata: Metadata): Promise<TenantContext>;
}

export const MESH_TOKEN_METADATA = "x-mesh-token";
/** Informational only (logs, traces): not part of what is trusted. */
export const REQUEST_ID_METADATA = "x-request-id";
/** The shortest mesh key accepted: 256 bits of hex or base64 text. */
export const MESH_SECRET_MIN_LENGTH = 32;

const AUDIENCE = "migrate-mesh";
const TOKEN_LIFETIME_SECONDS = 300;
// A cached token is replaced once less than this is left, so no call carries one about to expire.
const REFRESH_MARGIN_SECONDS = 60;
// Bounds both caches: tenants times users in a busy gateway stay far below it, and an attacker
// replaying garbage cannot grow them (only verified tokens are cached).
const CACHE_LIMIT = 10_000;

/** Credentials over the shared mesh key; `issuer` names the signing service in its tokens. */
export function createMeshCredentials(options: { secret: string; issuer: string }): MeshCredentials {
  if (options.secret.length < MESH_SECRET_MIN_LENGTH) {
    throw new Error(`the mesh secret must be at least ${MESH_SECRET_MIN_LENGTH} characters`);
  }
  const key = new TextEncoder().encode(options.secret);
  // A signed token is reused until it is about to expire; a verified one until it expires.
  const signed = createExpiringCache<string>(CACHE_LIMIT);
  const verified = createExpiringCache<Omit<TenantContext, "requestId">>(CACHE_LIMIT);

  return {
    async sign(tenant) {
      const cacheKey = [tenant.clientAccountId, tenant.engagementId, tenant.userId, tenant.roles.join(",")].join("\0");
      const now = Date.now() / 1_000;
      const cached = signed.get(cacheKey, now);
      if (cached) return cached;
      const token = await new SignJWT({ cat: tenant.clientAccountId, eng: tenant.engagementId, roles: tenant.roles })
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setSubject(tenant.userId)
        .setIssuer(options.issuer)
        .setAudience(AUDIENCE)
        .setIssuedAt(Math.floor(now))
        .setExpirationTime(Math.floor(now) + TOKEN_LIFETIME_SECONDS)
        .sign(key);
      signed.set(cacheKey, token, now + TOKEN_LIFETIME_SECONDS - REFRESH_MARGIN_SECONDS);
      return token;
    },

    async verify(metadata) {
      const token = String(metadata.get(MESH_TOKEN_METADATA)[0] ?? "");
      const requestId = String(metadata.get(REQUEST_ID_METADATA)[0] ?? "").slice(0, 128);
      if (!token) throw unauthenticated("missing mesh credentials (x-mesh-token)");
      const cached = verified.get(token);
      if (cached) return { ...cached, requestId };
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, key, { algorithms: ["HS256"], audience: AUDIENCE }));
      } catch {
        // Which check failed stays in the mesh: the caller learns only that it is not trusted.
        throw unauthenticated("invalid mesh credentials");
      }
      const tenant = tenantFrom(payload);
      verified.set(token, tenant, payload.exp ?? 0);
      return { ...tenant, requestId };
    },
  };
}

function tenantFrom(payload: JWTPayload): Omit<TenantContext, "requestId"> {
  const { cat, eng, roles, sub } = payload as JWTPayload & { cat?: unknown; eng?: unknown; roles?: unknown };
  const valid =
    typeof cat === "string" &&
    TENANT_ID.test(cat) &&
    (eng === "" || (typeof eng === "string" && TENANT_ID.test(eng))) &&
    Array.isArray(roles) &&
    roles.every((role) => typeof role === "string") &&
    typeof sub === "string";
  if (!valid) throw unauthenticated("invalid mesh credentials");
  return { clientAccountId: cat, engagementId: eng as string, userId: sub, roles: roles as string[] };
}

function unauthenticated(message: string): MeshError {
  return new MeshError("UNAUTHENTICATED", message, { field: MESH_TOKEN_METADATA });
}
