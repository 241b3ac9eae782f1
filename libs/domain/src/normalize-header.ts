/** "*Memory (In MB)" → "memoryinmb", "CPU.NumberOfCores" → "cpunumberofcores": how synonyms are written. */
export function normalizeHeader(header: string): string {
  return header
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "");
}

/** "CPU.NumberOfLogicalCores" → ["cpu", "number", "of", "logical", "cores"]: words for similarity. */
export function headerWords(header: string): string[] {
  return header
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}
