export { z } from "zod";
export type { BaseServiceConfig } from "./load-config.ts";
export { baseServiceSchema, ConfigError, loadConfig } from "./load-config.ts";
