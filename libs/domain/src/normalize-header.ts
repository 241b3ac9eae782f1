/** "*Memory (In MB)" → "memoryinmb", "CPU.NumberOfCores" → "cpunumberofcores": how synonyms are written. */
export function normalizeHeader(header: string): string {
  return header
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]/g, "");
}

/** "CPU.NumberOfLogicalCores" → ["cpu", "number", "of", "logical", "cores"]: words for similarity. */
export function headerWords(header: string): string[] {
  // "CPUCores" splits before the last capital of a run, tried from the start of the run only (the
  // lookbehind): from every position of it, a long run of capitals was quadratic.
  return header
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/(?<![A-Z])([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}
