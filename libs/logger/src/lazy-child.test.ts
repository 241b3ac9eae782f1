import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, lazyChild } from "./index.ts";

function capture() {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line));
  });
  return { stream, lines };
}

describe("lazyChild", () => {
  it("logs with the bindings, redacted, once something is logged", async () => {
    const { stream, lines } = capture();
    const logger = lazyChild(createLogger({ service: "gateway", destination: stream }), () => ({
      request_id: "r-1",
      token: "secret-token",
    }));
    logger.child({ rpc: "GetFlow" }).info({ n: 1 }, "hello");
    logger.warn("again");
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toMatchObject([
      { request_id: "r-1", rpc: "GetFlow", n: 1, msg: "hello" },
      { request_id: "r-1", msg: "again" },
    ]);
    expect(JSON.stringify(lines)).not.toContain("secret-token");
  });

  it("makes no child for calls at a level that is off", () => {
    let made = 0;
    const logger = lazyChild(
      createLogger({ service: "gateway", level: "info", destination: new PassThrough() }),
      () => {
        made++;
        return {};
      },
    );
    logger.debug("not written");
    logger.trace("not written");
    expect(made).toBe(0);
    logger.info("written");
    logger.info("written");
    expect(made).toBe(1);
  });
});
