import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { DEV_JWT_SECRET } from "@migrate/config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GatewayStack, startGatewayStack } from "./support/gateway-stack.ts";

const DIST = resolve(import.meta.dirname, "../console/dist");

function builtIndex(): string {
  try {
    return readFileSync(resolve(DIST, "index.html"), "utf8");
  } catch {
    throw new Error(`the web console is not built (${DIST}): run npm run setup`);
  }
}

describe("the gateway serving the console, on a secret of its own", () => {
  let stack: GatewayStack;
  beforeAll(async () => {
    builtIndex();
    stack = await startGatewayStack();
  });
  afterAll(async () => {
    await stack?.cleanup();
  });

  it("answers index.html at / and for client routes, under a strict CSP, never cached", async () => {
    for (const path of ["/", "/flows/new", "/flows/0b4c1e62-1111-4a4a-9c9c-000000000001/review"]) {
      const res = await fetch(`${stack.gatewayUrl}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain("unsafe-inline");
      expect(res.headers.get("cache-control")).toBe("no-cache");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      const html = await res.text();
      expect(html).toContain('<div id="root">');
      // No inline script: every script element loads a file.
      expect(html.match(/<script\b[^>]*>/g)?.every((tag) => tag.includes(" src="))).toBe(true);
    }
  });

  it("serves hashed assets for a year, gzipped when asked, and 404s a missing file as JSON", async () => {
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(builtIndex())?.[1];
    expect(script).toBeTruthy();
    const res = await fetch(`${stack.gatewayUrl}${script}`, { headers: { "accept-encoding": "gzip" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(res.headers.get("content-encoding")).toBe("gzip");
    expect((await res.text()).length).toBeGreaterThan(1000);

    const missing = await fetch(`${stack.gatewayUrl}/assets/nothing-here.js`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
    const traversal = await fetch(`${stack.gatewayUrl}/assets/..%2f..%2fpackage.json`);
    expect(traversal.status).toBe(404);
  });

  it("keeps the API's own answers: unknown API routes are JSON 404 with the API's headers", async () => {
    const res = await fetch(`${stack.gatewayUrl}/v1/no-such-route`);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
  });

  it("has no development sign-in", async () => {
    const res = await fetch(`${stack.gatewayUrl}/v1/dev/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ client_account_id: "acme" }),
    });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
  });
});

describe("the development sign-in, on the development secret", () => {
  let stack: GatewayStack;
  beforeAll(async () => {
    stack = await startGatewayStack({ gatewayEnv: { JWT_SECRET: DEV_JWT_SECRET } });
  });
  afterAll(async () => {
    await stack?.cleanup();
  });

  const signIn = (body: unknown) =>
    fetch(`${stack.gatewayUrl}/v1/dev/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  it("hands out a token the gateway accepts for the named tenant, engagement and role", async () => {
    const client = stack.tenant("dev");
    const res = await signIn({ client_account_id: client, engagement_id: "eng-1", roles: ["viewer"] });
    expect(res.status).toBe(201);
    const { token, expires_at } = (await res.json()) as { token: string; expires_at: string };
    expect(Date.parse(expires_at)).toBeGreaterThan(Date.now());
    const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as Record<
      string,
      unknown
    >;
    expect(claims).toMatchObject({ client_account_id: client, engagement_id: "eng-1", roles: ["viewer"] });
    const flows = await fetch(`${stack.gatewayUrl}/v1/flows`, { headers: { authorization: `Bearer ${token}` } });
    expect(flows.status).toBe(200);
    // A viewer's token still only reads.
    const write = await fetch(`${stack.gatewayUrl}/v1/flows?name=x`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "text/csv" },
      body: "hostname\nweb-01\n",
    });
    expect(write.status).toBe(403);
  });

  it("refuses a malformed tenant, an unknown role and a body that is not an object", async () => {
    for (const [body, field] of [
      [{ client_account_id: "a b" }, "client_account_id"],
      [{ client_account_id: "acme", roles: ["root"] }, "roles"],
      [{ client_account_id: "acme", engagement_id: "x/y" }, "engagement_id"],
      [[1, 2], "body"],
    ] as const) {
      const res = await signIn(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const error = ((await res.json()) as { error: { code: string; details: { field: string } } }).error;
      expect(error.code).toBe("INVALID_ARGUMENT");
      expect(error.details.field).toBe(field);
    }
  });
});
