import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { suggestMappings } from "../services/agent/src/agents/field-mapping.ts";
import { generateSample, SAMPLE_FORMATS } from "./generate-sample.ts";

const EXPECTED_FORMAT: Record<string, string> = {
  spreadsheet: "generic",
  aws: "aws_migration_hub",
  azure: "azure_migrate",
  rvtools: "rvtools_vinfo",
  gcp: "google_migration_center",
  servicenow: "servicenow_cmdb_ci_server",
};

describe("sample inventory generator", () => {
  it("is deterministic: the same seed gives the same bytes", () => {
    expect(generateSample({ servers: 500, seed: 9 })).toEqual(generateSample({ servers: 500, seed: 9 }));
    expect(generateSample({ servers: 500, seed: 9 }).inventoryCsv).not.toEqual(
      generateSample({ servers: 500, seed: 10 }).inventoryCsv,
    );
  });

  for (const format of SAMPLE_FORMATS) {
    it(`writes ${format} in its real header shape, with 1 % duplicates and a connections file`, () => {
      const sample = generateSample({ servers: 400, seed: 1, format });
      const [header = [], ...rows] = parse(sample.inventoryCsv) as string[][];
      expect(rows).toHaveLength(404);
      const columns = header.map((source, i) => ({ source, samples: rows.slice(0, 20).map((row) => row[i] ?? "") }));
      expect(suggestMappings(columns).format).toBe(EXPECTED_FORMAT[format]);
      expect((parse(sample.connectionsCsv) as string[][])[0]).toEqual(["source", "destination", "port", "protocol"]);
    });
  }
});
