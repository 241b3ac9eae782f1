/**
 * A raw record's values as the agents read them: text. JSON inventories may hold numbers,
 * booleans or nested values; null is an empty cell.
 */
export function rawValuesAsText(data: Readonly<Record<string, unknown>>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const key in data) {
    const value = data[key];
    if (value === null || value === undefined) values[key] = "";
    else if (typeof value === "string") values[key] = value;
    else if (typeof value === "object") values[key] = JSON.stringify(value);
    else values[key] = String(value);
  }
  return values;
}
