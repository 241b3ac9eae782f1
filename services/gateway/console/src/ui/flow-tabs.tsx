import { Link, useRouter } from "../router.tsx";

const TABS = [
  ["", "Overview"],
  ["/review", "Mapping review"],
  ["/assets", "Assets"],
  ["/applications", "Applications"],
  ["/dependencies", "Dependencies"],
  ["/strategy", "Strategy and waves"],
] as const;

/** The screens of one flow; the current one is marked for assistive technology too. */
export function FlowTabs({ flowId }: { flowId: string }) {
  const { path } = useRouter();
  return (
    <nav className="flow-tabs" aria-label="This flow">
      <Link to="/">All flows</Link>
      {TABS.map(([suffix, name]) => {
        const to = `/flows/${flowId}${suffix}`;
        return (
          <Link key={suffix} to={to} current={path === to}>
            {name}
          </Link>
        );
      })}
    </nav>
  );
}
