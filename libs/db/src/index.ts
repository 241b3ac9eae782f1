export {
  type ColumnType,
  type Generated,
  type Insertable,
  type Kysely,
  type Selectable,
  sql,
  type Transaction,
  type Updateable,
} from "kysely";
export type { Migration } from "kysely/migration";
export { compileOnce } from "./compile-once.ts";
export type { Database } from "./create-db.ts";
export { createDb, withTestSchema } from "./create-db.ts";
export { migrateToLatest } from "./migrate.ts";
export { runMigrateCommand } from "./migrate-command.ts";
