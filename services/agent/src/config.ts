import { baseServiceSchema, z } from "@migrate/config";

/** The agent service's environment (README's table); NATS and learning serve the agents once they run. */
export const agentConfigSchema = baseServiceSchema.extend({
  GRPC_PORT: z.coerce.number().int().min(0).max(65535).default(50052),
  DATABASE_URL: z.string().min(1).default("postgres://postgres@127.0.0.1:5432/postgres"),
  DATABASE_SCHEMA: z.string().min(1).default("agent"),
  NATS_URL: z.string().min(1).default("nats://127.0.0.1:4222"),
  LEARNING_GRPC_TARGET: z.string().min(1).default("dns:///127.0.0.1:50053"),
});
export type AgentConfig = z.infer<typeof agentConfigSchema>;
