/** The console's pure helpers, run in Node: CSV filtering for the export, and the API's error shape. */
import { describe, expect, it } from "vitest";
import { apiErrorFrom } from "../console/src/api/api-error.ts";
import { parseCsv, toCsv } from "../console/src/assets/csv.ts";

describe("console CSV helpers", () => {
  it("reads quoted cells, doubled quotes, line breaks inside quotes and CRLF, and writes them back", () => {
    const text = 'a,b,c\r\n"x, y","say ""hi""","two\nlines"\r\n1,,3\r\n';
    const rows = parseCsv(text);
    expect(rows).toEqual([
      ["a", "b", "c"],
      ["x, y", 'say "hi"', "two\nlines"],
      ["1", "", "3"],
    ]);
    expect(parseCsv(toCsv(rows))).toEqual(rows);
  });

  it("keeps a neutralised formula cell as the export wrote it", () => {
    expect(parseCsv(`name,dc\nweb,"'=HYPERLINK(""x"")"\n`)[1]).toEqual(["web", `'=HYPERLINK("x")`]);
  });
});

describe("console API errors", () => {
  it("takes code, message and details from the error body", () => {
    const error = apiErrorFrom(400, { error: { code: "INVALID_ARGUMENT", message: "bad", details: { field: "x" } } });
    expect({ status: error.status, code: error.code, message: error.message, details: error.details }).toEqual({
      status: 400,
      code: "INVALID_ARGUMENT",
      message: "bad",
      details: { field: "x" },
    });
  });

  it("still says something useful for an answer that is not the API's shape", () => {
    expect(apiErrorFrom(502, null)).toMatchObject({ code: "UNAVAILABLE", message: "the gateway answered HTTP 502" });
    expect(apiErrorFrom(418, "teapot")).toMatchObject({ code: "UNKNOWN" });
  });
});
