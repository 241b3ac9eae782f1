import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createLogger } from "@migrate/logger";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readUpload } from "./read-upload.ts";
import { sendError, sendJson } from "./send-json.ts";

const MAX = 100_000;
const logger = createLogger({ service: "test", level: "silent" });

// A real HTTP server around readUpload, answering what it parsed: the parsing is exercised
// exactly as clients drive it, headers, chunked bodies and early answers included.
let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer(async (req, res) => {
    try {
      const upload = await readUpload(req, new URL(req.url ?? "/", "http://test"), MAX);
      const chunks: Buffer[] = [];
      const connections: Buffer[] = [];
      const order: string[] = [];
      for await (const part of upload.parts) {
        (part.kind === "inventory" ? chunks : connections).push(Buffer.from(part.bytes));
        if (order.at(-1) !== part.kind) order.push(part.kind);
      }
      const text = Buffer.concat(chunks).toString("utf8");
      sendJson(res, 200, {
        name: upload.name,
        filename: upload.filename,
        content_type: upload.contentType,
        chunk_sizes: chunks.map((chunk) => chunk.length),
        head: text.slice(0, 40),
        bytes: Buffer.concat(chunks).length,
        connections: Buffer.concat(connections).toString("utf8"),
        order,
      });
    } catch (error) {
      sendError(req, res, error, logger);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const CSV = "hostname,cpu_cores,memory_gb\nweb-01,4,16\ndb-01,8,64\n";
const CONNECTIONS = "source,destination,port,protocol\nweb-01,db-01,5432,tcp\n";

type Answer = Record<string, unknown> & { error: { code: string; message: string; details: Record<string, unknown> } };

async function post(path: string, init: RequestInit) {
  const res = await fetch(`${base}${path}`, { method: "POST", ...init });
  return { status: res.status, body: (await res.json()) as Answer };
}

describe("readUpload: raw bodies", () => {
  it("reads text/csv named by ?name= and ?filename=", async () => {
    const { status, body } = await post("/?name=Estate%20A&filename=a.csv", {
      headers: { "content-type": "text/csv; charset=utf-8" },
      body: CSV,
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ name: "Estate A", filename: "a.csv", content_type: "text/csv", bytes: CSV.length });
    expect(body.head).toBe(CSV.slice(0, 40));
  });

  it("reads application/json and names it by default", async () => {
    const json = JSON.stringify([{ hostname: "web-01" }]);
    const { body } = await post("/", { headers: { "content-type": "application/json" }, body: json });
    expect(body).toMatchObject({ name: "Inventory import", content_type: "application/json", bytes: json.length });
  });

  it("forwards a big body in 64 KiB chunks", async () => {
    const big = "x".repeat(90_000);
    const { body } = await post("/", { headers: { "content-type": "text/csv" }, body: big });
    expect(body.chunk_sizes).toEqual([65_536, 90_000 - 65_536]);
  });

  it("answers 400 for a missing body and 415 for another media type", async () => {
    const empty = await post("/", { headers: { "content-type": "text/csv" } });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toContain("request body is empty");
    const xml = await post("/", { headers: { "content-type": "application/xml" }, body: "<a/>" });
    expect(xml.status).toBe(415);
    expect(xml.body.error).toMatchObject({ code: "UNSUPPORTED_MEDIA_TYPE" });
    expect(xml.body.error.message).toContain("multipart/form-data, text/csv, application/json");
  });

  it("answers 413 from the declared length without reading the body", async () => {
    const { status, body } = await post("/", { headers: { "content-type": "text/csv" }, body: "y".repeat(MAX + 1) });
    expect(status).toBe(413);
    expect(body.error).toMatchObject({ code: "PAYLOAD_TOO_LARGE", details: { limit: MAX } });
  });

  it("answers 413 mid-stream to a chunked upload that is still sending", async () => {
    const piece = new TextEncoder().encode("z".repeat(16_384));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        // Far more than the limit: the answer must come while the client is still writing.
        if (sent >= 4_000_000) controller.close();
        else {
          sent += piece.length;
          controller.enqueue(piece);
        }
      },
    });
    const { status, body } = await post("/", {
      headers: { "content-type": "text/csv" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(status).toBe(413);
    expect(body.error.code).toBe("PAYLOAD_TOO_LARGE");
  });
});

describe("readUpload: multipart/form-data", () => {
  const form = (parts: Array<[string, string | Blob, string?]>) => {
    const data = new FormData();
    for (const [field, value, filename] of parts) {
      if (typeof value === "string") data.append(field, value);
      else data.append(field, value, filename);
    }
    return data;
  };

  it("reads the file part and a name field sent before it", async () => {
    const body = form([
      ["name", "RVTools import"],
      ["file", new Blob([CSV], { type: "text/csv" }), "vInfo.csv"],
    ]);
    const res = await post("/", { body });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: "RVTools import",
      filename: "vInfo.csv",
      content_type: "text/csv",
      bytes: CSV.length,
    });
  });

  it("infers the type from the extension and leaves naming to the flow service", async () => {
    const res = await post("/", {
      body: form([["file", new Blob(['[{"a":1}]'], { type: "application/octet-stream" }), "servers.json"]]),
    });
    // The flow service names it after the file.
    expect(res.body).toMatchObject({ name: "", filename: "servers.json", content_type: "application/json" });
  });

  it("refuses a name sent after the file", async () => {
    const res = await post("/", {
      body: form([
        ["file", new Blob([CSV], { type: "text/csv" }), "a.csv"],
        ["name", "too late"],
      ]),
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe("the name field must come before the file field");
  });

  it("refuses a form without a file, or with the file under another field", async () => {
    const none = await post("/", { body: form([["name", "x"]]) });
    expect(none.status).toBe(400);
    expect(none.body.error.message).toBe("the multipart body has no file field");
    const other = await post("/", { body: form([["upload", new Blob([CSV], { type: "text/csv" }), "a.csv"]]) });
    expect(other.status).toBe(400);
    expect(other.body.error.message).toContain('form field "file"');
  });

  it("answers 415 for a file that is neither CSV nor JSON", async () => {
    const res = await post("/", { body: form([["file", new Blob(["%PDF"], { type: "application/pdf" }), "a.pdf"]]) });
    expect(res.status).toBe(415);
  });

  it("answers 400 for an empty file and 413 for an oversized one", async () => {
    const empty = await post("/", { body: form([["file", new Blob([], { type: "text/csv" }), "a.csv"]]) });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toBe("the uploaded inventory is empty");
    const big = await post("/", {
      body: form([["file", new Blob(["q".repeat(MAX * 3)], { type: "text/csv" }), "big.csv"]]),
    });
    expect(big.status).toBe(413);
  });

  it("forwards a connections file sent after the inventory, in wire order", async () => {
    const res = await post("/", {
      body: form([
        ["name", "With connections"],
        ["file", new Blob([CSV], { type: "text/csv" }), "servers.csv"],
        ["connections", new Blob([CONNECTIONS], { type: "text/csv" }), "connections.csv"],
      ]),
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: "With connections",
      filename: "servers.csv",
      bytes: CSV.length,
      connections: CONNECTIONS,
      order: ["inventory", "connections"],
    });
  });

  it("holds a connections file sent before the inventory until the inventory's header can go first", async () => {
    const big = `source,destination,port,protocol\n${"web-01,db-01,5432,tcp\n".repeat(3_000)}`;
    const res = await post("/", {
      body: form([
        ["connections", new Blob([big], { type: "text/csv" }), "connections.csv"],
        ["file", new Blob([CSV], { type: "text/csv" }), "servers.csv"],
      ]),
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ filename: "servers.csv", bytes: CSV.length, order: ["connections", "inventory"] });
    expect(res.body.connections).toBe(big);
  });

  it("refuses a second inventory, an empty connections file and a name after the files", async () => {
    const twice = await post("/", {
      body: form([
        ["file", new Blob([CSV], { type: "text/csv" }), "a.csv"],
        ["file", new Blob([CSV], { type: "text/csv" }), "b.csv"],
      ]),
    });
    expect(twice.status).toBe(400);
    expect(twice.body.error.message).toBe('form field "file" appears more than once');
    const empty = await post("/", {
      body: form([
        ["file", new Blob([CSV], { type: "text/csv" }), "a.csv"],
        ["connections", new Blob([], { type: "text/csv" }), "c.csv"],
      ]),
    });
    expect(empty.status).toBe(400);
    expect(empty.body.error).toMatchObject({
      message: "the uploaded connections file is empty",
      details: { field: "connections" },
    });
    const late = await post("/", {
      body: form([
        ["connections", new Blob([CONNECTIONS], { type: "text/csv" }), "c.csv"],
        ["name", "late"],
        ["file", new Blob([CSV], { type: "text/csv" }), "a.csv"],
      ]),
    });
    expect(late.status).toBe(400);
    expect(late.body.error.message).toBe("the name field must come before the file field");
  });

  it("answers 400 for a malformed multipart body", async () => {
    const res = await post("/", {
      headers: { "content-type": "multipart/form-data; boundary=xyz" },
      body: '--xyz\r\ncontent-disposition: form-data; name="file"; filename="a.csv"\r\ncontent-type: text/csv\r\n\r\na,b\n1,2',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain("malformed multipart body");
  });
});
