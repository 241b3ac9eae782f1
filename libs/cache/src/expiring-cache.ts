/**
 * An in-process map whose entries stop being returned at their own expiry time, bounded in size.
 * For results that are costly to compute and valid for a known time, such as verified tokens:
 * a token's claims do not change before it expires. At the bound the whole map is dropped rather
 * than evicting one by one: entries are cheap to recompute, and an attacker cannot grow it,
 * because only what passed verification is put in.
 */
export interface ExpiringCache<V> {
  /** The value stored under `key` while `now` (seconds) is before its expiry, else undefined. */
  get(key: string, now?: number): V | undefined;
  /** Stores `value` until `expiresAt` (seconds since the epoch). */
  set(key: string, value: V, expiresAt: number): void;
  readonly size: number;
}

export function createExpiringCache<V>(limit: number): ExpiringCache<V> {
  const entries = new Map<string, { value: V; expiresAt: number }>();
  return {
    get(key, now = Date.now() / 1_000) {
      const entry = entries.get(key);
      if (!entry) return undefined;
      if (entry.expiresAt > now) return entry.value;
      entries.delete(key);
      return undefined;
    },
    set(key, value, expiresAt) {
      if (entries.size >= limit) entries.clear();
      entries.set(key, { value, expiresAt });
    },
    get size() {
      return entries.size;
    },
  };
}
