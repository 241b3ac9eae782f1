export { onShutdown } from "./on-shutdown.ts";
