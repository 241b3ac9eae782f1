import type { ReactNode } from "react";
import { ApiError } from "../api/api-error.ts";

export function Loading({ label = "Loading" }: { label?: string }) {
  return (
    <p className="state" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {label}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state empty">{children}</div>;
}

/** An API refusal with its message and code, as the gateway sent them. */
export function ErrorBox({ error, title = "Something went wrong" }: { error: unknown; title?: string }) {
  const api = error instanceof ApiError ? error : null;
  return (
    <div className="error-box" role="alert">
      <strong>{title}</strong>
      <p>{api ? api.message : error instanceof Error ? error.message : String(error)}</p>
      {api && (
        <p className="code">
          code <code>{api.code}</code>
          {api.status ? ` · HTTP ${api.status}` : ""}
        </p>
      )}
    </div>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status}`}>{status.replace(/_/g, " ")}</span>;
}

export function ProgressBar({ value, label }: { value: number; label: string }) {
  return (
    <div className="progress">
      <progress max={100} value={value} aria-label={label} />
      <span aria-hidden="true">{value}%</span>
    </div>
  );
}
