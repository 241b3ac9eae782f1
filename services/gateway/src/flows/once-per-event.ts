const caches = new WeakMap<(event: never) => unknown, WeakMap<object, unknown>>();

/**
 * `encode(event)`, computed once per event object and encoding: the fan-out hands the same event
 * object to every watcher of a flow, so 40 watchers cost one SSE frame or one protobuf message,
 * not 40. Both maps are weak: an encoding lives exactly as long as its event.
 */
export function oncePerEvent<E extends object, T>(event: E, encode: (event: E) => T): T {
  let cache = caches.get(encode) as WeakMap<E, T> | undefined;
  if (!cache) {
    cache = new WeakMap<E, T>();
    caches.set(encode, cache as WeakMap<object, unknown>);
  }
  let value = cache.get(event);
  if (value === undefined) {
    value = encode(event);
    cache.set(event, value);
  }
  return value;
}
