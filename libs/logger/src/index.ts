export type { Logger } from "pino";
export { createLogger, REDACTED_PATHS } from "./create-logger.ts";
export { lazyChild } from "./lazy-child.ts";
