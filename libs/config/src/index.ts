export { z } from "zod";
export type { BaseServiceConfig } from "./load-config.ts";
export { baseServiceSchema, ConfigError, DEV_JWT_SECRET, loadConfig } from "./load-config.ts";
