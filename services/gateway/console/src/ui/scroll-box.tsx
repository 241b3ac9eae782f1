import type { ReactNode } from "react";

/**
 * A box that scrolls on its own (wide tables, long lists): a named region in the tab order, so
 * keyboard users can scroll it with the arrow keys.
 */
export function ScrollBox({
  label,
  className = "table-wrap",
  children,
}: {
  label: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be focusable to scroll by keyboard (WCAG 2.1.1)
    <section className={className} tabIndex={0} aria-label={label}>
      {children}
    </section>
  );
}
