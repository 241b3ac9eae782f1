import type { Logger } from "pino";

const LEVELS = new Set(["fatal", "error", "warn", "info", "debug", "trace"]);
const noop = () => {};

/**
 * `parent.child(bindings())`, made only when something is logged through it. A child logger
 * serializes (and redacts) its bindings when it is made, a real cost on a path that runs for
 * every request and usually logs nothing: a call at a level that is off returns at once.
 */
export function lazyChild(parent: Logger, bindings: () => Record<string, unknown>): Logger {
  let child: Logger | undefined;
  return new Proxy(parent, {
    get(_target, property) {
      if (typeof property === "string" && LEVELS.has(property) && !parent.isLevelEnabled(property)) return noop;
      child ??= parent.child(bindings());
      const value = Reflect.get(child, property, child);
      return typeof value === "function" ? value.bind(child) : value;
    },
  });
}
