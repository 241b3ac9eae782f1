import { parse } from "csv-parse/sync";
import { describe, expect, it } from "vitest";
import { csvField, csvLine, neutralizeFormula } from "./csv-cell.ts";

describe("neutralizeFormula", () => {
  it.each([
    ["=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"],
    ["+SUM(A1:A2)", "'+SUM(A1:A2)"],
    ["-2+3", "'-2+3"],
    ["@SUM(1)", "'@SUM(1)"],
    ["\tx", "'\tx"],
    ["\r=1", "'\r=1"],
    ["-", "'-"],
    ["=1", "'=1"],
  ])("quotes %j as text", (cell, expected) => {
    expect(neutralizeFormula(cell)).toBe(expected);
  });

  it.each(["-12", "+3.5", "-0.25", "-1e-3", "42", "", "web01", "a=b", "10.0.0.1; 10.0.0.2", " =x"])(
    "leaves %j alone",
    (cell) => {
      expect(neutralizeFormula(cell)).toBe(cell);
    },
  );
});

describe("csvField and csvLine", () => {
  it("quotes only what needs quoting, doubling inner quotes", () => {
    expect(csvField("plain")).toBe("plain");
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
  });

  it("round-trips through a CSV parser, with formulas neutralised", () => {
    const cells = ["1", 'quote " and, comma', "multi\r\nline", "=cmd|' /C calc'!A0", "-7", "@x", "é ✓"];
    const text = csvLine(["a", "b", "c", "d", "e", "f", "g"]) + csvLine(cells);
    expect(text.endsWith("\r\n")).toBe(true);
    const [record] = parse(text, { columns: true }) as Array<Record<string, string>>;
    expect(Object.values(record ?? {})).toEqual([
      "1",
      'quote " and, comma',
      "multi\r\nline",
      "'=cmd|' /C calc'!A0",
      "-7",
      "'@x",
      "é ✓",
    ]);
  });
});
