/** The signed-in person: the bearer token and what its claims say (shown, never trusted here). */
export interface Session {
  token: string;
  clientAccountId: string;
  engagementId: string;
  user: string;
  roles: string[];
  /** Seconds since the epoch; 0 when the token has no expiry. */
  expiresAt: number;
}

const KEY = "migrate-console-token";

/** Reads the claims of a JWT without verifying it: the gateway verifies every call. */
export function sessionFromToken(token: string): Session {
  const part = token.trim().split(".")[1];
  if (!part) throw new Error("this is not a JWT (expected three dot-separated parts)");
  let claims: Record<string, unknown>;
  try {
    const base64 = part.replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    claims = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch {
    throw new Error("the token's claims cannot be read");
  }
  const text = (name: string) => (typeof claims[name] === "string" ? (claims[name] as string) : "");
  if (!text("client_account_id")) throw new Error("the token names no client account (client_account_id)");
  return {
    token: token.trim(),
    clientAccountId: text("client_account_id"),
    engagementId: text("engagement_id"),
    user: text("sub"),
    roles: Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === "string") : [],
    expiresAt: typeof claims.exp === "number" ? claims.exp : 0,
  };
}

// sessionStorage: a token lives as long as the tab, and never reaches another tab or a later visit.
export function loadSession(): Session | null {
  const token = sessionStorage.getItem(KEY);
  if (!token) return null;
  try {
    const session = sessionFromToken(token);
    if (session.expiresAt && session.expiresAt * 1000 < Date.now()) return null;
    return session;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) sessionStorage.setItem(KEY, session.token);
  else sessionStorage.removeItem(KEY);
}

/** Viewers read only; the API refuses their writes anyway, the console just does not offer them. */
export function canWrite(session: Session): boolean {
  return session.roles.includes("analyst") || session.roles.includes("admin");
}
