import { type Compilable, CompiledQuery } from "kysely";

/**
 * A query built and compiled by Kysely once, then run with new parameter values each time.
 * Building and compiling a query costs more CPU than PostgreSQL spends on a primary-key read, so
 * the hottest reads use this. `build` gets one placeholder per name and must pass each into the
 * query as a plain value (`where("id", "=", params.id)`); every other value stays as compiled.
 * The placeholders are typed `never` so a column of any type takes them.
 */
export function compileOnce<Row, Name extends string>(
  names: readonly Name[],
  build: (params: Record<Name, never>) => Compilable<Row>,
): (values: Record<Name, unknown>) => CompiledQuery<Row> {
  const placeholders = Object.fromEntries(names.map((name) => [name, `\u0000${name}\u0000`])) as Record<Name, string>;
  const compiled = build(placeholders as Record<Name, never>).compile();
  const slots = compiled.parameters.map((value) => names.find((name) => placeholders[name] === value));
  for (const name of names) {
    if (!slots.includes(name)) throw new Error(`compileOnce: the query does not use the parameter ${name}`);
  }
  return (values) =>
    CompiledQuery.raw(
      compiled.sql,
      compiled.parameters.map((value, index) => {
        const slot = slots[index];
        return slot === undefined ? value : values[slot];
      }),
    ) as CompiledQuery<Row>;
}
