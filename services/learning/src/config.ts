import { baseServiceSchema, z } from "@migrate/config";

/** The learning service's environment (README's table). */
export const learningConfigSchema = baseServiceSchema.extend({
  GRPC_PORT: z.coerce.number().int().min(0).max(65535).default(50053),
  DATABASE_URL: z.string().min(1).default("postgres://postgres@127.0.0.1:5432/postgres"),
  DATABASE_SCHEMA: z.string().min(1).default("learning"),
});
export type LearningConfig = z.infer<typeof learningConfigSchema>;
