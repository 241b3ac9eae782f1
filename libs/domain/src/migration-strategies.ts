/** The 7 Rs (DESIGN.md section 3, Strategies): what may be recommended or overridden per asset. */
export const MIGRATION_STRATEGIES = [
  "rehost",
  "relocate",
  "replatform",
  "refactor",
  "repurchase",
  "retire",
  "retain",
] as const;
export type MigrationStrategy = (typeof MIGRATION_STRATEGIES)[number];
