/**
 * Session settings for every learning connection. pgvector 0.8 filters after the HNSW scan, so
 * a tenant-filtered kNN would return fewer than k rows without `hnsw.iterative_scan`;
 * `relaxed_order` may hand neighbours back slightly out of order, which the callers re-sort.
 * Set once per connection rather than per query (`set local` in a transaction cost two extra
 * round trips per search, about a third of a recommendation's latency).
 */
export function vectorSearchSettings(efSearch: number): Record<string, string | number> {
  return { "hnsw.iterative_scan": "relaxed_order", "hnsw.ef_search": Math.trunc(efSearch) };
}
