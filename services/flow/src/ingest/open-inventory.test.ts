import { MeshError } from "@migrate/errors";
import { describe, expect, it } from "vitest";
import { openInventory } from "./open-inventory.ts";

const MB = 1024 * 1024;

async function* chunked(content: string | Buffer, size = 7): AsyncGenerator<Uint8Array> {
  const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  for (let at = 0; at < bytes.length; at += size) yield new Uint8Array(bytes.subarray(at, at + size));
}

async function read(
  content: string | Buffer,
  options: { contentType?: string; size?: number; maxBytes?: number } = {},
) {
  const inventory = await openInventory(chunked(content, options.size), {
    contentType: options.contentType ?? "text/csv",
    filename: "inventory.csv",
    maxBytes: options.maxBytes ?? MB,
  });
  const rows: Array<{ rowNumber: number; data: Record<string, unknown> }> = [];
  for await (const record of inventory.records)
    rows.push({ rowNumber: record.rowNumber, data: JSON.parse(record.data) });
  return { format: inventory.format, delimiter: inventory.delimiter, columns: inventory.columns, rows };
}

async function failure(content: string | Buffer, options: Parameters<typeof read>[1] = {}): Promise<MeshError> {
  try {
    await read(content, options);
  } catch (error) {
    expect(error).toBeInstanceOf(MeshError);
    return error as MeshError;
  }
  throw new Error("expected the upload to be refused");
}

describe("CSV uploads", () => {
  it.each([
    [",", "name,cpu\nweb01,4\n"],
    [";", "name;cpu\nweb01;4\n"],
    ["\t", "name\tcpu\nweb01\t4\n"],
    ["|", "name|cpu\nweb01|4\n"],
  ])("sniffs the %j delimiter from the header", async (delimiter, text) => {
    const result = await read(text);
    expect(result.delimiter).toBe(delimiter);
    expect(result.columns).toEqual(["name", "cpu"]);
    expect(result.rows).toEqual([{ rowNumber: 1, data: { name: "web01", cpu: "4" } }]);
  });

  it("ignores delimiters inside quoted header names when sniffing", async () => {
    const result = await read('"Memory (GB; total)";"Disk, total";OS\n16;100;linux\n');
    expect(result.delimiter).toBe(";");
    expect(result.columns).toEqual(["Memory (GB; total)", "Disk, total", "OS"]);
  });

  it("strips a UTF-8 BOM, even when it arrives split across chunks", async () => {
    const result = await read("\uFEFFServer name,Cores\nsrv-é,8\n", { size: 1 });
    expect(result.columns).toEqual(["Server name", "Cores"]);
    expect(result.rows[0]?.data).toEqual({ "Server name": "srv-é", Cores: "8" });
  });

  it("keeps quoted multi-line fields and escaped quotes in one record", async () => {
    const text =
      'name,notes,os\r\napp01,"line one\r\nline two, with comma","Windows ""2019"""\r\napp02,plain,linux\r\n';
    const result = await read(text, { size: 3 });
    expect(result.rows).toEqual([
      { rowNumber: 1, data: { name: "app01", notes: "line one\r\nline two, with comma", os: 'Windows "2019"' } },
      { rowNumber: 2, data: { name: "app02", notes: "plain", os: "linux" } },
    ]);
  });

  it("decodes multi-byte characters split across chunks", async () => {
    const result = await read("host,owner\nsrv🚀01,Zoë Ångström\n", { size: 1 });
    expect(result.rows[0]?.data).toEqual({ host: "srv🚀01", owner: "Zoë Ångström" });
  });

  it("accepts short rows and a trailing delimiter, skipping blank lines", async () => {
    const result = await read("a,b,c,\n1,2,3,\n\n4\n");
    expect(result.columns).toEqual(["a", "b", "c"]);
    expect(result.rows).toEqual([
      { rowNumber: 1, data: { a: "1", b: "2", c: "3" } },
      { rowNumber: 2, data: { a: "4" } },
    ]);
  });

  it("yields records before the whole upload has arrived", async () => {
    let produced = 0;
    async function* slow(): AsyncGenerator<Uint8Array> {
      yield Buffer.from("name,cpu\n");
      for (; produced < 20_000; produced++) yield Buffer.from(`host${produced},4\n`);
    }
    const inventory = await openInventory(slow(), { contentType: "text/csv", filename: "", maxBytes: 10 * MB });
    const first = await inventory.records.next();
    expect(first.value?.rowNumber).toBe(1);
    expect(produced).toBeLessThan(20_000);
    await inventory.records.return(undefined);
  });
});

describe("refused uploads say where the problem is", () => {
  it("refuses an empty file", async () => {
    for (const content of ["", "\uFEFF", "\n\n  \n"]) {
      const error = await failure(content);
      expect(error.code).toBe("INVALID_ARGUMENT");
      expect(error.message).toBe("the file is empty");
    }
  });

  it("refuses a header without data rows", async () => {
    const error = await failure("name,cpu\n");
    expect(error.message).toContain("no data rows");
  });

  it("refuses a row with more cells than the header, naming row, line and counts", async () => {
    const error = await failure('name,cpu\nweb01,4\n"db\n01",8,extra,more\n');
    expect(error.code).toBe("INVALID_ARGUMENT");
    expect(error.message).toBe("row 2 (line 4) has 4 cells but the header has 2 columns");
    expect(error.details).toMatchObject({ row: 2, line: 4, cells: 4, columns: 2 });
  });

  it("refuses duplicate header names, naming the header and both columns", async () => {
    const error = await failure("Name,CPU, Name \nweb,4,x\n");
    expect(error.message).toContain('duplicate header "Name" in columns 1 and 3');
    expect(error.details).toMatchObject({ column: "Name", positions: [1, 3] });
  });

  it("refuses an empty header name between named columns", async () => {
    const error = await failure("name,,cpu\nweb,x,4\n");
    expect(error.message).toContain("header of column 2 is empty");
    expect(error.details).toMatchObject({ position: 2 });
  });

  it("refuses invalid UTF-8 with its byte offset and line", async () => {
    const bytes = Buffer.concat([Buffer.from("name,cpu\nweb01,4\nd"), Buffer.from([0xe9]), Buffer.from("b,8\n")]);
    for (const size of [1, 4, 1024]) {
      const error = await failure(bytes, { size });
      expect(error.code).toBe("INVALID_ARGUMENT");
      expect(error.details).toMatchObject({ offset: 18, line: 3 });
      expect(error.message).toContain("byte offset 18 (line 3)");
    }
  });

  it("refuses a multi-byte character cut off at the end of the file", async () => {
    const error = await failure(Buffer.concat([Buffer.from("name\nab"), Buffer.from([0xf0, 0x9f])]));
    expect(error.details).toMatchObject({ offset: 7 });
  });

  it("refuses NUL bytes, which no text inventory holds", async () => {
    const nul = await failure(Buffer.from("name\nweb\u000001\n"));
    expect(nul.message).toContain("NUL byte at byte offset 8");
  });

  it("refuses an upload over the byte limit", async () => {
    const error = await failure(`name\n${"x\n".repeat(600)}`, { maxBytes: 1000 });
    expect(error.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("refuses spreadsheets, archives and other media types", async () => {
    const xlsx = await failure(Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]), { contentType: "" });
    expect(xlsx.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    expect(xlsx.message).toContain("Excel workbook");
    const png = await failure("name\nx\n", { contentType: "image/png" });
    expect(png.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    const utf16 = await failure(Buffer.from("\uFEFFname\n", "utf16le"));
    expect(utf16.message).toContain("UTF-16");
  });
});

describe("JSON uploads", () => {
  it("streams an array of objects, columns in order of first appearance", async () => {
    const text = '\uFEFF[{"name":"web01","cpu":4},\n {"name":"db01","memory_gb":16.5,"tags":{"env":"prod"}}]\n';
    const result = await read(text, { contentType: "application/json", size: 5 });
    expect(result.format).toBe("json");
    expect(result.columns).toEqual(["name", "cpu", "memory_gb", "tags"]);
    expect(result.rows).toEqual([
      { rowNumber: 1, data: { name: "web01", cpu: 4 } },
      { rowNumber: 2, data: { name: "db01", memory_gb: 16.5, tags: { env: "prod" } } },
    ]);
  });

  it("recognises a JSON array sent with a generic or CSV media type", async () => {
    expect((await read('[{"a":1}]', { contentType: "application/octet-stream" })).format).toBe("json");
    expect((await read('  [ {"a":1}]', { contentType: "text/plain" })).format).toBe("json");
  });

  it("names the element that is not an object", async () => {
    const error = await failure('[{"a":1},{"a":2},"oops",{"a":3}]', { contentType: "application/json" });
    expect(error.code).toBe("INVALID_ARGUMENT");
    expect(error.message).toContain("element 2 of the JSON array is a string");
    expect(error.details).toMatchObject({ index: 2 });
  });

  it("refuses JSON that is not an array of objects", async () => {
    expect((await failure('{"a":1}', { contentType: "application/json" })).message).toContain("holds an object");
    expect((await failure("[]", { contentType: "application/json" })).message).toContain("empty array");
    expect((await failure("name,cpu\nx,1\n", { contentType: "application/json" })).message).toContain(
      "not a JSON array",
    );
    expect((await failure('[{"a":1},{"a":', { contentType: "application/json" })).message).toMatch(/invalid JSON/);
    expect((await failure('[{"a":1}] [2]', { contentType: "application/json" })).message).toMatch(/invalid JSON/);
    expect((await failure('[{"a":"x\\u0000y"}]', { contentType: "application/json" })).message).toContain("NUL");
  });
});
