import type { Counted } from "../api/types.ts";
import { formatCount, label } from "../ui/format.ts";

/**
 * Horizontal bars in SVG (a 7-category breakdown needs no chart library), described by a
 * caption and readable as a table by screen readers.
 */
export function BarChart({ title, data }: { title: string; data: Counted[] }) {
  const max = Math.max(1, ...data.map((d) => d.count));
  const row = 28;
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 400 ${data.length * row}`} role="img" aria-label={`${title}: ${describe(data)}`}>
        {data.map((d, i) => (
          <g key={d.key} transform={`translate(0 ${i * row})`}>
            <text x="0" y="18" className="chart-label">
              {label(d.key)}
            </text>
            <rect x="110" y="5" height="18" width={Math.max(2, (d.count / max) * 230)} className={`bar bar-${d.key}`} />
            <text x={116 + (d.count / max) * 230} y="18" className="chart-value">
              {formatCount(d.count)}
            </text>
          </g>
        ))}
      </svg>
    </figure>
  );
}

const describe = (data: Counted[]) => data.map((d) => `${label(d.key)} ${d.count}`).join(", ");
