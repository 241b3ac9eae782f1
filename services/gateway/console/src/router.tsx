import { createContext, type MouseEvent, type ReactNode, useCallback, useContext, useEffect, useState } from "react";

interface Location {
  path: string;
  search: URLSearchParams;
}
interface Router extends Location {
  navigate(to: string, options?: { replace?: boolean }): void;
}

const RouterContext = createContext<Router | null>(null);

const current = (): Location => ({ path: location.pathname, search: new URLSearchParams(location.search) });

/**
 * History routing in a few lines (the console has six routes): the gateway answers index.html
 * for every client route, so a reload or a shared link opens the same screen.
 */
export function RouterProvider({ children }: { children: ReactNode }) {
  const [where, setWhere] = useState(current);
  useEffect(() => {
    const onPop = () => setWhere(current());
    addEventListener("popstate", onPop);
    return () => removeEventListener("popstate", onPop);
  }, []);
  const navigate = useCallback((to: string, options: { replace?: boolean } = {}) => {
    if (options.replace) history.replaceState(null, "", to);
    else history.pushState(null, "", to);
    setWhere(current());
    scrollTo(0, 0);
  }, []);
  return <RouterContext.Provider value={{ ...where, navigate }}>{children}</RouterContext.Provider>;
}

export function useRouter(): Router {
  const router = useContext(RouterContext);
  if (!router) throw new Error("useRouter outside RouterProvider");
  return router;
}

/** An ordinary link (middle-click and copy work) that navigates in place on a plain click. */
export function Link(props: {
  to: string;
  children: ReactNode;
  className?: string;
  "aria-label"?: string;
  /** Marks the link to the page shown (aria-current). */
  current?: boolean;
}) {
  const { navigate } = useRouter();
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(props.to);
  };
  return (
    <a
      href={props.to}
      onClick={onClick}
      className={props.className}
      aria-label={props["aria-label"]}
      aria-current={props.current ? "page" : undefined}
    >
      {props.children}
    </a>
  );
}
