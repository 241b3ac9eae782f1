// Spreadsheets run a cell that starts with one of these as a formula (OWASP "CSV injection").
const FORMULA_START = /^[=+\-@\t\r]/;
// A plain number ("-12", "+3.5", "1e-3") is data, not a formula, and must stay a number.
const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * The cell as a spreadsheet should see it: a value that would start a formula gets a leading
 * single quote, so `=cmd|' /C calc'!A0` is shown as text instead of being run.
 */
export function neutralizeFormula(value: string): string {
  return FORMULA_START.test(value) && !PLAIN_NUMBER.test(value) ? `'${value}` : value;
}

/** One CSV field (RFC 4180): neutralised, then quoted when it holds a quote, comma or line break. */
export function csvField(value: string): string {
  const safe = neutralizeFormula(value);
  return NEEDS_QUOTES.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** One CSV record with its CRLF terminator. */
export function csvLine(values: readonly string[]): string {
  return `${values.map(csvField).join(",")}\r\n`;
}
