import { MeshError } from "@migrate/errors";
import type { CallContext } from "@migrate/grpc";

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

/** An RFC 3339 timestamp or a date (UTC midnight); "" gives undefined; anything else is refused. */
export function parseInstant(value: string, field: string): Date | undefined {
  const text = value.trim();
  if (!text) return undefined;
  const date = DATE_ONLY.test(text) ? new Date(`${text}T00:00:00Z`) : RFC3339.test(text) ? new Date(text) : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw new MeshError("INVALID_ARGUMENT", `${field} must be an RFC 3339 timestamp or a YYYY-MM-DD date`, {
      field,
      value: text.slice(0, 64),
    });
  }
  return date;
}

/**
 * A non-negative decimal amount as exact text ("12.5"), with at most `scale` decimals. A
 * negative amount and anything not a plain decimal are INVALID_ARGUMENT.
 */
export function parseAmount(value: string, field: string, scale: number): string {
  const text = value.trim();
  if (/^-/.test(text) && /^-\d+(\.\d+)?$/.test(text)) {
    throw new MeshError("INVALID_ARGUMENT", `${field} must not be negative`, { field, value: text.slice(0, 32) });
  }
  const pattern = new RegExp(`^\\d{1,12}(\\.\\d{1,${scale}})?$`);
  if (!pattern.test(text)) {
    throw new MeshError("INVALID_ARGUMENT", `${field} must be a decimal amount with at most ${scale} decimals`, {
      field,
      value: text.slice(0, 32),
    });
  }
  return text;
}

/** Pricing is platform-wide: only an admin may read or change it. */
export function requireAdmin(ctx: CallContext): void {
  if (!ctx.tenant.roles.includes("admin")) {
    throw new MeshError("PERMISSION_DENIED", "the admin role is required to manage model pricing", { role: "admin" });
  }
}

/** The first instant of the calendar month (UTC) holding `now`, and its YYYY-MM label. */
export function monthOf(now: Date): { start: Date; label: string } {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  return { start, label: start.toISOString().slice(0, 7) };
}
