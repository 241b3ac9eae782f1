import { SignJWT } from "jose";

export interface DevTokenOptions {
  /** `client_account_id` claim. */
  client: string;
  /** `engagement_id` claim, omitted when empty. */
  engagement?: string;
  /** `sub` claim: the user. */
  sub: string;
  roles?: string[];
  secret: string;
  /** A duration such as `"8h"` or `"-1m"` (already expired), or seconds from now. */
  expiresIn: string | number;
  issuer?: string;
  audience?: string;
}

/** Signs an HS256 bearer token the gateway accepts; for development, tests and `npm run token`. */
export async function signDevToken(options: DevTokenOptions): Promise<string> {
  const claims: Record<string, unknown> = { client_account_id: options.client, roles: options.roles ?? [] };
  if (options.engagement) claims.engagement_id = options.engagement;
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(options.sub)
    .setIssuedAt(now)
    .setExpirationTime(typeof options.expiresIn === "number" ? now + options.expiresIn : options.expiresIn);
  if (options.issuer) jwt.setIssuer(options.issuer);
  if (options.audience) jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(options.secret));
}
