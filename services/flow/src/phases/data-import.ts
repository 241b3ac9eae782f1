import type { PhaseDefinition } from "./phase-definition.ts";

/** The upload itself: CreateFlow stored every record before the flow existed, so this only records it. */
export const dataImport: PhaseDefinition = {
  name: "data_import",
  weight: 5,
  async run(ctx) {
    const total = ctx.flow.raw_record_count;
    await ctx.commit({ processed: total, total });
    return { status: "completed", counts: { records: total, connections: ctx.flow.connection_count } };
  },
};
