const number = new Intl.NumberFormat("en-US");
const dateTime = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short" });

export const formatCount = (value: number | null | undefined) => (value == null ? "–" : number.format(value));

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "–";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "–" : dateTime.format(date);
}

/** "1 min 5 s" between two timestamps (to now when the second is empty). */
export function formatDuration(from: string | null | undefined, to?: string | null): string {
  if (!from) return "–";
  const ms = (to ? new Date(to).getTime() : Date.now()) - new Date(from).getTime();
  if (!Number.isFinite(ms) || ms < 0) return "–";
  if (ms < 1_000) return `${ms} ms`;
  const seconds = Math.round(ms / 1_000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export const formatBytes = (bytes: number) => `${number.format(bytes)} bytes`;

export const label = (name: string | null | undefined) => (name ? name.replace(/_/g, " ") : "–");
