const PARTS = /[,;|\n]+/;
const SEPARATOR = /[:=]/;

/**
 * "env:prod, app:billing" or "env=prod;app=billing" → { env: "prod", app: "billing" } (keys
 * lowercased, values trimmed; a bare word in a list becomes a key with an empty value).
 * Undefined when the text has no key/value pair at all: free text is not a tag list.
 */
export function parseTags(value: string): Record<string, string> | undefined {
  if (!SEPARATOR.test(value)) return undefined;
  const tags: Record<string, string> = {};
  for (const part of value.split(PARTS)) {
    const text = part.trim();
    if (!text) continue;
    const at = text.search(SEPARATOR);
    if (at < 0) tags[text.toLowerCase()] = "";
    else {
      const key = text.slice(0, at).trim().toLowerCase();
      if (key) tags[key] = text.slice(at + 1).trim();
    }
  }
  return tags;
}
