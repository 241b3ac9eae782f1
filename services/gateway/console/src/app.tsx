import { useQueryClient } from "@tanstack/react-query";
import { lazy, Suspense, useEffect, useState } from "react";
import { configureApi } from "./api/http.ts";
import { loadSession, type Session, saveSession } from "./api/session.ts";
import { ApplicationsScreen } from "./applications/applications-screen.tsx";
import { AssetsScreen } from "./assets/assets-screen.tsx";
import { FlowDetailScreen } from "./flow-detail/flow-detail-screen.tsx";
import { FlowsScreen } from "./flows/flows-screen.tsx";
import { PatternsScreen } from "./learning/patterns-screen.tsx";
import { NewFlowScreen } from "./new-flow/new-flow-screen.tsx";
import { ReviewScreen } from "./review/review-screen.tsx";
import { Link, useRouter } from "./router.tsx";
import { SignInScreen } from "./sign-in/sign-in-screen.tsx";
import { StrategyScreen } from "./strategy/strategy-screen.tsx";
import { Loading } from "./ui/states.tsx";
import { UsageScreen } from "./usage/usage-screen.tsx";

// Cytoscape.js is most of this screen's weight: loaded only when the screen opens.
const DependenciesScreen = lazy(() => import("./dependencies/dependencies-screen.tsx"));

const FLOW = /^\/flows\/([0-9a-fA-F-]{36})(?:\/(review|assets|applications|dependencies|strategy))?\/?$/;

export function App() {
  const router = useRouter();
  const queryClient = useQueryClient();
  const [session, setSession] = useState<Session | null>(loadSession);
  const [signInReason, setSignInReason] = useState("");

  // Set during render so the first queries of a screen already carry the token.
  configureApi({
    token: session?.token ?? "",
    onUnauthenticated: (reason) => {
      saveSession(null);
      queryClient.clear();
      setSignInReason(`Signed out: ${reason}`);
      setSession(null);
    },
  });

  useEffect(() => {
    if (!session && router.path !== "/sign-in") router.navigate("/sign-in", { replace: true });
  }, [session, router]);

  const signIn = (next: Session) => {
    saveSession(next);
    queryClient.clear();
    setSignInReason("");
    setSession(next);
    router.navigate(router.search.get("next") ?? "/", { replace: true });
  };
  const signOut = () => {
    saveSession(null);
    queryClient.clear();
    setSession(null);
  };

  if (!session || router.path === "/sign-in") {
    return (
      <Shell session={null} onSignOut={signOut}>
        <SignInScreen onSignIn={signIn} reason={signInReason} />
      </Shell>
    );
  }
  const flow = FLOW.exec(router.path);
  let screen: React.ReactNode;
  if (router.path === "/" || router.path === "/flows") screen = <FlowsScreen session={session} />;
  else if (router.path === "/flows/new") screen = <NewFlowScreen session={session} />;
  else if (router.path === "/usage") screen = <UsageScreen session={session} />;
  else if (router.path === "/learning") screen = <PatternsScreen session={session} />;
  else if (flow?.[1] && flow[2] === "review") screen = <ReviewScreen flowId={flow[1]} session={session} />;
  else if (flow?.[1] && flow[2] === "assets") screen = <AssetsScreen flowId={flow[1]} />;
  else if (flow?.[1] && flow[2] === "applications") screen = <ApplicationsScreen flowId={flow[1]} />;
  else if (flow?.[1] && flow[2] === "strategy") screen = <StrategyScreen flowId={flow[1]} />;
  else if (flow?.[1] && flow[2] === "dependencies")
    screen = (
      <Suspense fallback={<Loading label="Loading the dependency map" />}>
        <DependenciesScreen flowId={flow[1]} />
      </Suspense>
    );
  else if (flow?.[1]) screen = <FlowDetailScreen flowId={flow[1]} session={session} />;
  else
    screen = (
      <section aria-labelledby="nf-title">
        <h1 id="nf-title">Page not found</h1>
        <p>
          Nothing lives at <code>{router.path}</code>. <Link to="/">Back to the flows</Link>
        </p>
      </section>
    );
  return (
    <Shell session={session} onSignOut={signOut}>
      {screen}
    </Shell>
  );
}

function Shell({
  session,
  onSignOut,
  children,
}: {
  session: Session | null;
  onSignOut: () => void;
  children: React.ReactNode;
}) {
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Migrate Mesh</span>
        {session && (
          <nav aria-label="Main">
            <Link to="/">Flows</Link>
            <Link to="/flows/new">New flow</Link>
            <Link to="/usage">Usage</Link>
            <Link to="/learning">Learned patterns</Link>
          </nav>
        )}
        {session && (
          <section className="who" aria-label="Signed in as">
            <span title="client account">
              <span className="muted">tenant</span> {session.clientAccountId}
            </span>
            <span title="engagement">
              <span className="muted">engagement</span> {session.engagementId || "all"}
            </span>
            <span title="user">
              <span className="muted">user</span> {session.user} ({session.roles.join(", ") || "viewer"})
            </span>
            <button type="button" className="link-button" onClick={onSignOut}>
              Sign out
            </button>
          </section>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
