import { MeshError } from "@migrate/errors";
import { describe, expect, it } from "vitest";
import { parseConnections } from "./connections-csv.ts";
import { detectFormat } from "./detect-format.ts";
import { MAX_JSON_DEPTH } from "./json-limits.ts";
import { openInventory } from "./open-inventory.ts";
import { sniffDelimiter } from "./sniff-delimiter.ts";
import type { UploadLimits } from "./upload-limits.ts";

const MB = 1024 * 1024;
const LIMITS: UploadLimits = { maxColumns: 5, maxCellBytes: 16, maxRowBytes: 48 };

async function* chunked(content: string | Buffer, size: number): AsyncGenerator<Uint8Array> {
  const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  for (let at = 0; at < bytes.length; at += size) yield new Uint8Array(bytes.subarray(at, at + size));
}

async function read(
  content: string | AsyncIterable<Uint8Array>,
  options: { contentType?: string; size?: number; limits?: UploadLimits } = {},
) {
  const chunks = typeof content === "string" ? chunked(content, options.size ?? 7) : content;
  const inventory = await openInventory(chunks, {
    contentType: options.contentType ?? "text/csv",
    filename: "inventory.csv",
    maxBytes: 64 * MB,
    limits: options.limits ?? LIMITS,
  });
  const rows: Array<Record<string, unknown>> = [];
  for await (const record of inventory.records) rows.push(JSON.parse(record.data));
  return { columns: inventory.columns, rows };
}

async function failure(
  content: string | AsyncIterable<Uint8Array>,
  options: Parameters<typeof read>[1] = {},
): Promise<MeshError> {
  try {
    await read(content, options);
  } catch (error) {
    expect(error).toBeInstanceOf(MeshError);
    return error as MeshError;
  }
  throw new Error("expected the upload to be refused");
}

/** A header and the start of a row, then `filler` for ever: counts what the reader pulled. */
function endless(head: string, filler: string) {
  const pulled = { bytes: 0 };
  async function* chunks(): AsyncGenerator<Uint8Array> {
    yield Buffer.from(head);
    const block = Buffer.from(filler.repeat(Math.ceil(4096 / filler.length)));
    for (;;) {
      pulled.bytes += block.length;
      // A reader that does not stop would spin here for ever; 64 MiB means the limit never fired.
      if (pulled.bytes > 64 * MB) throw new Error("the reader kept pulling past every limit");
      yield block;
    }
  }
  return { chunks: chunks(), pulled };
}

describe("CSV uploads are measured as they stream", () => {
  it("refuses a cell over MAX_CELL_BYTES as soon as it crosses, naming row, line and column", async () => {
    const { chunks, pulled } = endless("Server Name,Notes\nsrv-1,", "A");
    const error = await failure(chunks, { limits: { maxColumns: 1_000, maxCellBytes: 64 * 1024, maxRowBytes: MB } });
    expect(error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(error.message).toBe(
      'row 1 (line 2), column "Notes": the cell is larger than the limit of 65536 bytes per cell (MAX_CELL_BYTES)',
    );
    expect(error.details).toMatchObject({ row: 1, line: 2, column: "Notes", position: 2, setting: "MAX_CELL_BYTES" });
    // Refused within a chunk or two of the limit: the 5 MB cell is never buffered.
    expect(pulled.bytes).toBeLessThan(64 * 1024 + 16 * 1024);
  });

  it("counts a quoted cell's content, an escaped quote as one byte", async () => {
    const exact = `a,b\nx,"${'""'.repeat(8)}${"q".repeat(8)}"\n`;
    for (const size of [1, 3, 1024]) {
      expect((await read(exact, { size })).rows).toEqual([{ a: "x", b: `${'"'.repeat(8)}${"q".repeat(8)}` }]);
    }
    const error = await failure(`a,b\nx,"${'""'.repeat(8)}${"q".repeat(9)}"\n`, { size: 1 });
    expect(error.details).toMatchObject({ row: 1, line: 2, column: "b", setting: "MAX_CELL_BYTES", limit: 16 });
  });

  it("refuses a header cell over the limit, naming its position", async () => {
    const error = await failure(`name,${"h".repeat(17)}\nx,y\n`);
    expect(error.message).toBe(
      "the header (line 1), column 2: the cell is larger than the limit of 16 bytes per cell (MAX_CELL_BYTES)",
    );
  });

  it("refuses a row over MAX_ROW_BYTES, naming the column where it crossed", async () => {
    const cell = "c".repeat(15);
    const error = await failure(`a,b,c,d\n1,2,3,4\n${cell},${cell},${cell},${cell}\n`, { size: 5 });
    expect(error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(error.message).toBe(
      'row 2 (line 3), column "d": the row is larger than the limit of 48 bytes per row (MAX_ROW_BYTES)',
    );
  });

  it("accepts exactly MAX_COLUMNS columns and refuses one more, naming the count and the first beyond", async () => {
    expect((await read("a,b,c,d,e\n1,2,3,4,5\n")).columns).toEqual(["a", "b", "c", "d", "e"]);
    // A trailing delimiter is not a column.
    expect((await read("a,b,c,d,e,\n1,2,3,4,5,\n")).columns).toHaveLength(5);
    const error = await failure("a,b,c,d,e,f\n1,2,3,4,5,6\n");
    expect(error.code).toBe("INVALID_ARGUMENT");
    expect(error.message).toBe(
      'the header (line 1), column "f": the file has 6 columns, more than the limit of 5 columns (MAX_COLUMNS)',
    );
    expect(error.details).toMatchObject({ setting: "MAX_COLUMNS", limit: 5, columns: 6, position: 6 });
  });

  it("refuses a column name over 1,000 characters, in CSV, JSON and connections files", async () => {
    const big = { maxColumns: 10, maxCellBytes: 64 * 1024, maxRowBytes: MB };
    const name = "N".repeat(1_001);
    const csv = await failure(`a,${name}\n1,2\n`, { limits: big });
    expect(csv.code).toBe("INVALID_ARGUMENT");
    expect(csv.message).toBe(
      `the header (line 1), column "${"N".repeat(80)}…": the column name has 1001 characters, more than the 1000 a column name may have`,
    );
    expect(csv.details).toMatchObject({ row: 0, position: 2, length: 1_001 });
    expect((await read(`a,${"N".repeat(1_000)}\n1,2\n`, { limits: big })).columns).toHaveLength(2);
    const json = await failure(`[{"a":1},{"${name}":2}]`, { contentType: "application/json", limits: big });
    expect(json.details).toMatchObject({ row: 2, length: 1_001 });
    const connections = (await parseConnections(Buffer.from(`source,destination,${name}\nx,y,z\n`), big).catch(
      (e: MeshError) => e,
    )) as MeshError;
    expect(connections.message).toContain("the column name has 1001 characters");
  });

  it("keeps rows with CR-only, CRLF and LF line ends and blank lines numbered as csv-parse reads them", async () => {
    for (const end of ["\r", "\r\n", "\n"]) {
      const error = await failure(`a,b${end}1,2${end}${end}3,${"x".repeat(17)}${end}`, { size: 2 });
      expect(error.details).toMatchObject({ row: 2, line: 4, column: "b" });
    }
  });
});

describe("CSV quotes that would merge lines", () => {
  it("refuses a quote never closed, naming the line where it opened", async () => {
    const text = 'name,notes,os\nsrv-1,ok,linux\nsrv-2,"oops,linux\nsrv-3,plain,linux\nsrv-4,plain,linux\n';
    for (const size of [1, 4, 4096]) {
      const error = await failure(text, { size, limits: { maxColumns: 10, maxCellBytes: 1024, maxRowBytes: 4096 } });
      expect(error.code).toBe("INVALID_ARGUMENT");
      expect(error.message).toBe(
        'row 2 (line 3), column "notes": the quote that opens this field on line 3 is never closed (the file ends inside it, on line 6); check for an unbalanced quote',
      );
      expect(error.details).toMatchObject({ row: 2, line: 3, column: "notes", reason: "unclosed_quote" });
    }
  });

  it("says an open quote is the likely cause when a cell that ran over lines crosses a limit", async () => {
    const error = await failure(`name,notes\nsrv-1,"never closed\n${"srv-2,plain\n".repeat(10)}`, { size: 5 });
    expect(error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(error.message).toBe(
      'row 1 (line 2), column "notes": the quoted field opened on line 2 runs over 1 line break(s) and past the limit of 16 bytes per cell (MAX_CELL_BYTES); check for an unbalanced quote',
    );
    expect(error.details).toMatchObject({ row: 1, line: 2, setting: "MAX_CELL_BYTES", reason: "unbalanced_quote" });
  });

  it("refuses a quoted field that ran over lines and then ends on a stray quote", async () => {
    // csv-parse (relax_quotes) would read lines 2 to 4 as ONE record of two cells.
    const text = 'Server Name,OS\nsrv-1,"Windows\nsrv-2,Linux\nsrv-3,"x"\nsrv-4,Linux\n';
    const error = await failure(text, { size: 3, limits: { maxColumns: 10, maxCellBytes: 1024, maxRowBytes: 4096 } });
    expect(error.code).toBe("INVALID_ARGUMENT");
    expect(error.message).toContain('row 1 (line 2), column "OS": the quoted field opened on line 2 runs over 2');
    expect(error.message).toContain("a quote on line 4 is followed by");
    expect(error.details).toMatchObject({ row: 1, line: 2, reason: "unbalanced_quote", stray_quote_line: 4 });
  });

  it("refuses a row whose quoted field spans lines and leaves it short of cells", async () => {
    const text = 'name,notes,os\nsrv-1,"oops,linux\nsrv-2,plain"\nsrv-3,plain,linux\n';
    const error = await failure(text, { limits: { maxColumns: 10, maxCellBytes: 1024, maxRowBytes: 4096 } });
    expect(error.code).toBe("INVALID_ARGUMENT");
    expect(error.message).toBe(
      'row 1 (lines 2-3), column "notes": the quoted field opened on line 2 spans 2 lines and leaves the row with 2 cells where the header has 3 columns; check for an unbalanced quote',
    );
    expect(error.details).toMatchObject({ row: 1, line: 2, position: 2, cells: 2, columns: 3 });
  });

  it("still accepts multi-line quoted cells in full rows, and stray quotes within one line", async () => {
    const limits = { maxColumns: 10, maxCellBytes: 1024, maxRowBytes: 4096 };
    const text =
      'name,notes,os\r\napp01,"line one\r\nline two, ""quoted""",linux\r\napp02,5" disk,"a"b\r\napp03,short\r\n';
    for (const size of [1, 2, 4096]) {
      expect((await read(text, { size, limits })).rows).toEqual([
        { name: "app01", notes: 'line one\r\nline two, "quoted"', os: "linux" },
        { name: "app02", notes: '5" disk', os: '"a"b' },
        { name: "app03", notes: "short" },
      ]);
    }
  });
});

describe("JSON uploads are measured as they stream", () => {
  const json = { contentType: "application/json" };

  it("refuses deep nesting at the element that nests, without building it", async () => {
    const deep = `[${'{"a":'.repeat(100_000)}1${"}".repeat(100_000)}]`;
    const big = { maxColumns: 10, maxCellBytes: MB, maxRowBytes: MB };
    const started = performance.now();
    const error = await failure(deep, { ...json, size: 64 * 1024, limits: big });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(error.code).toBe("INVALID_ARGUMENT");
    expect(error.message).toBe(
      `element 0 of the JSON array (row 1) nests objects and arrays deeper than the limit of ${MAX_JSON_DEPTH} levels; inventory records must be flat objects`,
    );
    expect(error.details).toMatchObject({ row: 1, index: 0, limit: MAX_JSON_DEPTH });

    const nested = (levels: number) => `${'{"a":'.repeat(levels)}1${"}".repeat(levels)}`;
    // The array is one level: an element may nest 63 more.
    expect((await read(`[{"x":1},${nested(MAX_JSON_DEPTH - 1)}]`, { ...json, limits: big })).rows).toHaveLength(2);
    const second = await failure(`[{"x":1},${nested(MAX_JSON_DEPTH)}]`, { ...json, size: 1, limits: big });
    expect(second.details).toMatchObject({ row: 2, index: 1 });
  });

  it("refuses a property value over MAX_CELL_BYTES, naming element and key; nested values count whole", async () => {
    const error = await failure(`[{"name":"a"},{"name":"b","notes":"${"A".repeat(17)}"}]`, json);
    expect(error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(error.message).toBe(
      'element 1 of the JSON array (row 2), column "notes": the cell is larger than the limit of 16 bytes per cell (MAX_CELL_BYTES)',
    );
    const nested = await failure(`[{"tags":{"env":"prod","app":"bill"}}]`, { ...json, size: 1 });
    expect(nested.details).toMatchObject({ row: 1, column: "tags", setting: "MAX_CELL_BYTES" });
    const key = await failure(`[{"${"k".repeat(17)}":1}]`, json);
    expect(key.details).toMatchObject({ row: 1, setting: "MAX_CELL_BYTES" });
  });

  it("refuses an element over MAX_ROW_BYTES, and a huge top-level string", async () => {
    const error = await failure(`[{"a":"1234567890","b":"1234567890","c":"1234567890"}]`, json);
    expect(error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(error.details).toMatchObject({ row: 1, column: "c", setting: "MAX_ROW_BYTES", limit: 48 });
    const { chunks, pulled } = endless('[{"a":1},"', "A");
    const text = await failure(chunks, json);
    expect(text.details).toMatchObject({ row: 2, setting: "MAX_ROW_BYTES" });
    // The first 64 KiB are read up front to tell the format; the limit stops the rest.
    expect(pulled.bytes).toBeLessThan(80 * 1024);
  });

  it("refuses more distinct keys than MAX_COLUMNS, naming the element and the key", async () => {
    const error = await failure(`[{"a":1,"b":2},{"c":3,"d":4},{"a":1,"e":5},{"f":6}]`, json);
    expect(error.code).toBe("INVALID_ARGUMENT");
    expect(error.message).toBe(
      'element 3 of the JSON array (row 4), column "f": the file so far holds 6 columns, more than the limit of 5 columns (MAX_COLUMNS)',
    );
  });

  it("is not fooled by brackets, braces, commas and escapes inside strings", async () => {
    const text = `[{"a":"} ] { [ , : \\" \\\\","b":"x"},{"c\\"d":[1,{"e":null}]}]`;
    for (const size of [1, 5, 4096]) {
      const { rows } = await read(text, {
        ...json,
        size,
        limits: { maxColumns: 5, maxCellBytes: 64, maxRowBytes: 64 },
      });
      expect(rows).toEqual([{ a: '} ] { [ , : " \\', b: "x" }, { 'c"d': [1, { e: null }] }]);
    }
  });
});

describe("connections files have the same limits", () => {
  it("refuses a cell, a row or a header over the limits, saying which file", async () => {
    const cell = await parseConnections(Buffer.from(`source,destination\nweb01,${"d".repeat(17)}\n`), LIMITS).catch(
      (e: MeshError) => e,
    );
    expect(cell).toBeInstanceOf(MeshError);
    expect((cell as MeshError).message).toBe(
      'connections file: row 1 (line 2), column "destination": the cell is larger than the limit of 16 bytes per cell (MAX_CELL_BYTES)',
    );
    expect((cell as MeshError).details).toMatchObject({ field: "connections", row: 1, column: "destination" });
    const columns = await parseConnections(Buffer.from("source,destination,a,b,c,d\nx,y,1,2,3,4\n"), LIMITS).catch(
      (e: MeshError) => e,
    );
    expect((columns as MeshError).message).toContain("more than the limit of 5 columns (MAX_COLUMNS)");
    const quote = await parseConnections(Buffer.from('source,destination\nweb01,"db01\nweb02,db02\n'), LIMITS).catch(
      (e: MeshError) => e,
    );
    expect((quote as MeshError).message).toContain("the quote that opens this field on line 2 is never closed");
  });

  it("keeps a bad port's message short whatever the cell holds", async () => {
    const error = (await parseConnections(
      Buffer.from(`source,destination,port\nweb01,db01,${"9".repeat(10_000)}\n`),
    ).catch((e: MeshError) => e)) as MeshError;
    expect(error.message).toContain("not a port number");
    expect(error.message.length).toBeLessThan(200);
  });
});

describe("the readers' own patterns stay linear on hostile headers", () => {
  const best = (run: () => unknown) => {
    let fastest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      run();
      fastest = Math.min(fastest, performance.now() - started);
    }
    return fastest;
  };
  // Linear: ~4x the time for 4x the text; a pattern retried from every position: ~16x.
  const expectLinear = (run: (text: string) => unknown, make: (n: number) => string) => {
    const small = best(() => run(make(25_000)));
    const large = best(() => run(make(100_000)));
    expect(large, `${large.toFixed(1)} ms vs ${small.toFixed(1)} ms`).toBeLessThan(6 * small + 25);
  };
  const inputs = [
    (n: number) => `[${" ".repeat(n)}x`,
    (n: number) => `\uFEFF${"\r\n".repeat(n / 2)}a`,
    (n: number) => `${"-".repeat(n)} x`,
    (n: number) => `${" -".repeat(n / 2)}!`,
    (n: number) => `"${",;".repeat(n / 2)}`,
  ];

  it.each(inputs.map((make, i) => [i, make] as const))("input %i", async (_i, make) => {
    expectLinear((text) => detectFormat(Buffer.from(text), { contentType: "text/csv", filename: "x.csv" }), make);
    expectLinear((text) => sniffDelimiter(text), make);
    const limits = { maxColumns: 10, maxCellBytes: MB, maxRowBytes: 4 * MB };
    const header = (text: string) => Buffer.from(`${text},source,destination\nweb01,db01,x\n`);
    const bestOf3 = async (text: string) => {
      let fastest = Number.POSITIVE_INFINITY;
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        await parseConnections(header(text), limits).catch(() => {});
        fastest = Math.min(fastest, performance.now() - started);
      }
      return fastest;
    };
    const small = await bestOf3(make(25_000));
    const large = await bestOf3(make(100_000));
    expect(large, `${large.toFixed(1)} ms vs ${small.toFixed(1)} ms`).toBeLessThan(6 * small + 25);
  });
});
