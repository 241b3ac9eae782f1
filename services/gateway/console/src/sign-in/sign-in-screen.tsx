import { type FormEvent, useState } from "react";
import { ApiError, apiErrorFrom } from "../api/api-error.ts";
import { type Session, sessionFromToken } from "../api/session.ts";
import { ErrorBox } from "../ui/states.tsx";

/** Paste a bearer token, or ask the gateway's development-only endpoint for one. */
export function SignInScreen({ onSignIn, reason }: { onSignIn: (session: Session) => void; reason: string }) {
  const [token, setToken] = useState("");
  const [tokenError, setTokenError] = useState<unknown>(null);
  const [client, setClient] = useState("demo");
  const [engagement, setEngagement] = useState("");
  const [role, setRole] = useState("analyst");
  const [devError, setDevError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submitToken = (event: FormEvent) => {
    event.preventDefault();
    try {
      onSignIn(sessionFromToken(token));
    } catch (error) {
      setTokenError(error);
    }
  };

  const devSignIn = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setDevError(null);
    try {
      const res = await fetch("/v1/dev/token", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ client_account_id: client.trim(), engagement_id: engagement.trim(), roles: [role] }),
      });
      const body = await res.json().catch(() => null);
      if (res.status === 404) {
        throw new ApiError(
          404,
          "NOT_FOUND",
          "development sign-in is off: this gateway verifies real tokens; paste one",
        );
      }
      if (!res.ok) throw apiErrorFrom(res.status, body);
      onSignIn(sessionFromToken((body as { token: string }).token));
    } catch (error) {
      setDevError(error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in</h1>
      {reason && (
        <p className="notice" role="alert">
          {reason}
        </p>
      )}
      <div className="cards">
        <form className="card" onSubmit={submitToken} aria-labelledby="token-title">
          <h2 id="token-title">Bearer token</h2>
          <label htmlFor="token">Token (JWT)</label>
          <textarea
            id="token"
            rows={4}
            value={token}
            onChange={(e) => setToken(e.target.value)}
            spellCheck={false}
            autoComplete="off"
            required
          />
          {tokenError != null && <ErrorBox error={tokenError} title="This token cannot be used" />}
          <button type="submit">Use token</button>
        </form>
        <form className="card" onSubmit={devSignIn} aria-labelledby="dev-title">
          <h2 id="dev-title">Development sign-in</h2>
          <p className="muted">Only on a gateway running on the development secret.</p>
          <label htmlFor="dev-client">Client account</label>
          <input
            id="dev-client"
            value={client}
            onChange={(e) => setClient(e.target.value)}
            pattern="[A-Za-z0-9_\-]{1,64}"
            required
          />
          <label htmlFor="dev-engagement">Engagement (optional)</label>
          <input
            id="dev-engagement"
            value={engagement}
            onChange={(e) => setEngagement(e.target.value)}
            pattern="[A-Za-z0-9_\-]{0,64}"
          />
          <label htmlFor="dev-role">Role</label>
          <select id="dev-role" value={role} onChange={(e) => setRole(e.target.value)}>
            <option value="viewer">viewer (reads)</option>
            <option value="analyst">analyst (reads and writes)</option>
            <option value="admin">admin</option>
          </select>
          {devError != null && <ErrorBox error={devError} title="Development sign-in failed" />}
          <button type="submit" disabled={busy}>
            {busy ? "Signing in…" : "Sign in for development"}
          </button>
        </form>
      </div>
    </section>
  );
}
