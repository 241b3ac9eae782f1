import { createExpiringCache } from "@migrate/cache";
import { TENANT_ID } from "@migrate/domain";
import { MeshError } from "@migrate/errors";
import { createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from "jose";

/** The authenticated caller, taken from a verified token's claims. */
export interface Principal {
  /** The token's `sub`: the user. */
  sub: string;
  clientAccountId: string;
  /** Empty when the token names no engagement. */
  engagementId: string;
  roles: string[];
}

export interface TokenVerifierOptions {
  /** HS256 shared secret; used when `jwksUrl` is not set. */
  secret?: string;
  /** Where RS/PS/ES public keys are published; takes precedence over `secret`. */
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
  /** How long a JWKS fetch may take before verification reports the keys unavailable. */
  jwksTimeoutMs?: number;
}

export interface TokenVerifier {
  /** Verifies an `Authorization` header value; rejects with UNAUTHENTICATED naming what is wrong. */
  verify(authorization: string | null | undefined): Promise<Principal>;
}

const ASYMMETRIC = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"];
const CLOCK_TOLERANCE_SECONDS = 5;
// A verified token's principal is reused until the token expires, but never longer than this:
// a key withdrawn from the JWKS, or a token without `exp`, stops being trusted within it.
const CACHE_SECONDS = 300;
// Bounds the cache: far more than a gateway's live users, and only verified tokens enter it.
const CACHE_LIMIT = 10_000;

/** Bearer JWT verification: HS256 with a shared secret, or RS/ES keys from a JWKS URL. */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  let key: Uint8Array | JWTVerifyGetKey;
  let algorithms: string[];
  if (options.jwksUrl) {
    key = createRemoteJWKSet(new URL(options.jwksUrl), { timeoutDuration: options.jwksTimeoutMs ?? 3_000 });
    algorithms = ASYMMETRIC;
  } else if (options.secret) {
    key = new TextEncoder().encode(options.secret);
    algorithms = ["HS256"];
  } else {
    throw new Error("token verification needs a secret or a JWKS URL");
  }

  // Verification (an HMAC or a signature check, through WebCrypto) was the largest cost of a
  // read: most requests carry a token already seen.
  const verified = createExpiringCache<Principal>(CACHE_LIMIT);

  return {
    async verify(authorization) {
      const token = bearerToken(authorization);
      const now = Date.now() / 1_000;
      const cached = verified.get(token, now);
      if (cached) return cached;
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, key as JWTVerifyGetKey, {
          algorithms,
          issuer: options.issuer,
          audience: options.audience,
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
        }));
      } catch (error) {
        throw verificationError(error);
      }
      const principal = principalFrom(payload);
      verified.set(token, principal, Math.min(payload.exp ?? Number.POSITIVE_INFINITY, now + CACHE_SECONDS));
      return principal;
    },
  };
}

/** The `WWW-Authenticate` value for a 401 (RFC 6750 section 3). */
export function bearerChallenge(error?: MeshError): string {
  if (!error || error.details.reason === "missing_token") return 'Bearer realm="migrate-mesh"';
  const description = error.message.replace(/["\\]/g, "");
  return `Bearer realm="migrate-mesh", error="invalid_token", error_description="${description}"`;
}

function unauthenticated(reason: string, message: string, extra: Record<string, unknown> = {}): MeshError {
  return new MeshError("UNAUTHENTICATED", message, { reason, ...extra });
}

function bearerToken(authorization: string | null | undefined): string {
  if (!authorization?.trim()) throw unauthenticated("missing_token", "missing bearer token");
  const match = /^Bearer +([A-Za-z0-9._~+/=-]+) *$/i.exec(authorization);
  if (!match?.[1])
    throw unauthenticated("malformed_token", "malformed authorization header; expected 'Bearer <token>'");
  return match[1];
}

function verificationError(error: unknown): MeshError {
  const code = (error as { code?: string }).code;
  switch (code) {
    case "ERR_JWT_EXPIRED":
      return unauthenticated("expired", "token expired");
    case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED":
      return unauthenticated("bad_signature", "token signature is invalid");
    case "ERR_JWKS_NO_MATCHING_KEY":
    case "ERR_JWKS_MULTIPLE_MATCHING_KEYS":
      return unauthenticated("unknown_key", "token is signed with an unknown key");
    case "ERR_JOSE_ALG_NOT_ALLOWED":
      return unauthenticated("bad_algorithm", "token signing algorithm is not accepted");
    case "ERR_JWT_CLAIM_VALIDATION_FAILED": {
      const claim = (error as { claim?: string }).claim ?? "unknown";
      return unauthenticated("invalid_claim", `token claim ${claim} is invalid`, { field: claim });
    }
    case "ERR_JWS_INVALID":
    case "ERR_JWT_INVALID":
    case "ERR_JOSE_NOT_SUPPORTED":
      return unauthenticated("malformed_token", "malformed token");
    default:
      // JWKS endpoint down or answering garbage: the caller's token may be fine, so this is not a 401.
      return new MeshError("UNAVAILABLE", "token signing keys are unavailable", {}, { cause: error });
  }
}

function principalFrom(payload: JWTPayload): Principal {
  const claim = (name: string) => payload[name];
  const required = (name: string): string => {
    const value = claim(name);
    if (value === undefined || value === null || value === "") {
      throw unauthenticated("missing_claim", `token missing claim ${name}`, { field: name });
    }
    if (typeof value !== "string")
      throw unauthenticated("invalid_claim", `token claim ${name} is invalid`, { field: name });
    return value;
  };
  const sub = required("sub");
  const clientAccountId = required("client_account_id");
  if (!TENANT_ID.test(clientAccountId)) {
    throw unauthenticated("invalid_claim", "token claim client_account_id is invalid", { field: "client_account_id" });
  }
  const engagement = claim("engagement_id");
  if (
    engagement !== undefined &&
    engagement !== null &&
    (typeof engagement !== "string" || !TENANT_ID.test(engagement))
  ) {
    throw unauthenticated("invalid_claim", "token claim engagement_id is invalid", { field: "engagement_id" });
  }
  const roles = claim("roles") ?? [];
  if (
    !Array.isArray(roles) ||
    !roles.every((role) => typeof role === "string" && /^[A-Za-z0-9_.:-]{1,64}$/.test(role))
  ) {
    throw unauthenticated("invalid_claim", "token claim roles is invalid", { field: "roles" });
  }
  return { sub, clientAccountId, engagementId: (engagement as string | undefined) ?? "", roles: roles as string[] };
}
