/** One record of an uploaded inventory, ready to store as a raw record. */
export interface InventoryRecord {
  /** 1-based position in the file, header excluded (for JSON: element index + 1). */
  rowNumber: number;
  /** The record as a JSON object text, column name → value. */
  data: string;
}

/** What a format reader produces: the records, and the columns known so far (final once read). */
export interface RecordReader {
  columns: string[];
  records: AsyncGenerator<InventoryRecord>;
}
