import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { MeshError } from "@migrate/errors";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signDevToken } from "./dev-token.ts";
import { bearerChallenge, createTokenVerifier } from "./verify-token.ts";

const SECRET = "unit-test-secret-0123456789abcdef";
const verifier = createTokenVerifier({ secret: SECRET });
type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

async function rejection(promise: Promise<unknown>): Promise<MeshError> {
  try {
    await promise;
  } catch (error) {
    return error as MeshError;
  }
  throw new Error("expected a rejection");
}

function hs256(claims: Record<string, unknown>, secret = SECRET, expiresIn: string | number = "5m") {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}

describe("createTokenVerifier with HS256", () => {
  it("accepts a dev token and returns its claims", async () => {
    const token = await signDevToken({
      client: "acme",
      engagement: "wave-1",
      sub: "alice",
      roles: ["analyst", "admin"],
      secret: SECRET,
      expiresIn: "1h",
    });
    await expect(verifier.verify(`Bearer ${token}`)).resolves.toEqual({
      sub: "alice",
      clientAccountId: "acme",
      engagementId: "wave-1",
      roles: ["analyst", "admin"],
    });
  });

  it("reads the scheme case-insensitively and defaults engagement and roles", async () => {
    const token = await hs256({ sub: "bob", client_account_id: "acme" });
    await expect(verifier.verify(`bearer ${token}`)).resolves.toEqual({
      sub: "bob",
      clientAccountId: "acme",
      engagementId: "",
      roles: [],
    });
  });

  it("rejects a missing header and a non-bearer scheme", async () => {
    const missing = await rejection(verifier.verify(undefined));
    expect(missing).toMatchObject({ code: "UNAUTHENTICATED", message: "missing bearer token" });
    expect(bearerChallenge(missing)).toBe('Bearer realm="migrate-mesh"');
    const basic = await rejection(verifier.verify("Basic YWxpY2U6c2VjcmV0"));
    expect(basic.code).toBe("UNAUTHENTICATED");
    expect(basic.message).toContain("malformed authorization header");
  });

  it("rejects a token that is not a JWT", async () => {
    const error = await rejection(verifier.verify("Bearer not.a.jwt"));
    expect(error).toMatchObject({ code: "UNAUTHENTICATED", message: "malformed token" });
  });

  it("rejects an expired token, saying so", async () => {
    const token = await signDevToken({ client: "acme", sub: "alice", secret: SECRET, expiresIn: -60 });
    const error = await rejection(verifier.verify(`Bearer ${token}`));
    expect(error).toMatchObject({ code: "UNAUTHENTICATED", message: "token expired" });
    expect(bearerChallenge(error)).toBe(
      'Bearer realm="migrate-mesh", error="invalid_token", error_description="token expired"',
    );
  });

  it("rejects a token signed with another secret", async () => {
    const token = await signDevToken({
      client: "acme",
      sub: "alice",
      secret: "some-other-secret-0123456789abcdef",
      expiresIn: "5m",
    });
    const error = await rejection(verifier.verify(`Bearer ${token}`));
    expect(error).toMatchObject({ code: "UNAUTHENTICATED", message: "token signature is invalid" });
  });

  it("rejects a token without client_account_id or sub, naming the claim", async () => {
    const noClient = await rejection(verifier.verify(`Bearer ${await hs256({ sub: "alice" })}`));
    expect(noClient).toMatchObject({ code: "UNAUTHENTICATED", message: "token missing claim client_account_id" });
    expect(noClient.details.field).toBe("client_account_id");
    const noSub = await rejection(verifier.verify(`Bearer ${await hs256({ client_account_id: "acme" })}`));
    expect(noSub.message).toBe("token missing claim sub");
  });

  it("rejects malformed tenant claims", async () => {
    const badClient = await hs256({ sub: "a", client_account_id: "acme corp; drop" });
    expect((await rejection(verifier.verify(`Bearer ${badClient}`))).message).toBe(
      "token claim client_account_id is invalid",
    );
    const badRoles = await hs256({ sub: "a", client_account_id: "acme", roles: "admin" });
    expect((await rejection(verifier.verify(`Bearer ${badRoles}`))).message).toBe("token claim roles is invalid");
    const badEngagement = await hs256({ sub: "a", client_account_id: "acme", engagement_id: 7 });
    expect((await rejection(verifier.verify(`Bearer ${badEngagement}`))).message).toBe(
      "token claim engagement_id is invalid",
    );
  });

  it("checks issuer and audience when configured", async () => {
    const strict = createTokenVerifier({ secret: SECRET, issuer: "https://idp.example", audience: "mesh" });
    const good = await signDevToken({
      client: "acme",
      sub: "a",
      secret: SECRET,
      expiresIn: "5m",
      issuer: "https://idp.example",
      audience: "mesh",
    });
    await expect(strict.verify(`Bearer ${good}`)).resolves.toMatchObject({ clientAccountId: "acme" });
    const wrongIssuer = await signDevToken({
      client: "acme",
      sub: "a",
      secret: SECRET,
      expiresIn: "5m",
      issuer: "https://evil.example",
      audience: "mesh",
    });
    expect((await rejection(strict.verify(`Bearer ${wrongIssuer}`))).message).toBe("token claim iss is invalid");
  });

  it("refuses an asymmetric token when configured for HS256", async () => {
    const { privateKey } = await generateKeyPair("ES256");
    const token = await new SignJWT({ sub: "a", client_account_id: "acme" })
      .setProtectedHeader({ alg: "ES256" })
      .setExpirationTime("5m")
      .sign(privateKey);
    const error = await rejection(verifier.verify(`Bearer ${token}`));
    expect(error).toMatchObject({ code: "UNAUTHENTICATED", message: "token signing algorithm is not accepted" });
  });
});

describe("createTokenVerifier with a JWKS URL", () => {
  let server: Server;
  let jwksUrl: string;
  let rsa: KeyPair;
  let ec: KeyPair;

  beforeAll(async () => {
    rsa = await generateKeyPair("RS256");
    ec = await generateKeyPair("ES256");
    const keys = [
      { ...(await exportJWK(rsa.publicKey)), kid: "rsa-1", alg: "RS256", use: "sig" },
      { ...(await exportJWK(ec.publicKey)), kid: "ec-1", alg: "ES256", use: "sig" },
    ];
    server = createServer((_req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const sign = (key: KeyPair["privateKey"], alg: string, kid: string, expiresIn = "5m") =>
    new SignJWT({ client_account_id: "globex", engagement_id: "e1", roles: ["viewer"] })
      .setProtectedHeader({ alg, kid })
      .setSubject("carol")
      .setExpirationTime(expiresIn)
      .sign(key);

  it("accepts RS256 and ES256 tokens signed by published keys", async () => {
    const jwks = createTokenVerifier({ jwksUrl });
    const expected = { sub: "carol", clientAccountId: "globex", engagementId: "e1", roles: ["viewer"] };
    await expect(jwks.verify(`Bearer ${await sign(rsa.privateKey, "RS256", "rsa-1")}`)).resolves.toEqual(expected);
    await expect(jwks.verify(`Bearer ${await sign(ec.privateKey, "ES256", "ec-1")}`)).resolves.toEqual(expected);
  });

  it("rejects expired, unknown-key and forged tokens", async () => {
    const jwks = createTokenVerifier({ jwksUrl });
    const expired = await rejection(jwks.verify(`Bearer ${await sign(rsa.privateKey, "RS256", "rsa-1", "-2m")}`));
    expect(expired.message).toBe("token expired");
    const stranger = await generateKeyPair("RS256");
    const unknown = await rejection(jwks.verify(`Bearer ${await sign(stranger.privateKey, "RS256", "rsa-9")}`));
    expect(unknown).toMatchObject({ code: "UNAUTHENTICATED", message: "token is signed with an unknown key" });
    const forged = await rejection(jwks.verify(`Bearer ${await sign(stranger.privateKey, "RS256", "rsa-1")}`));
    expect(forged.message).toBe("token signature is invalid");
    const hmac = await rejection(jwks.verify(`Bearer ${await hs256({ sub: "a", client_account_id: "acme" })}`));
    expect(hmac.message).toBe("token signing algorithm is not accepted");
  });

  it("reports unreachable signing keys as UNAVAILABLE, not as the caller's fault", async () => {
    const gone = createTokenVerifier({ jwksUrl: "http://127.0.0.1:9/jwks.json", jwksTimeoutMs: 500 });
    const error = await rejection(gone.verify(`Bearer ${await sign(rsa.privateKey, "RS256", "rsa-1")}`));
    expect(error.code).toBe("UNAVAILABLE");
  });
});

describe("the verified-token cache", () => {
  it("serves a token again until it expires, and never after", async () => {
    const cached = createTokenVerifier({ secret: SECRET });
    // Already past exp, accepted only within the 5 s clock tolerance, which ends in about a second.
    const exp = Math.floor(Date.now() / 1_000) - 4;
    const token = await hs256({ sub: "alice", client_account_id: "acme" }, SECRET, exp);
    await expect(cached.verify(`Bearer ${token}`)).resolves.toMatchObject({ clientAccountId: "acme" });
    await expect(cached.verify(`Bearer ${token}`)).resolves.toMatchObject({ clientAccountId: "acme" });
    // The cached answer must not outlive the token.
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    expect((await rejection(cached.verify(`Bearer ${token}`))).details.reason).toBe("expired");
  });

  it("does not let a token whose signature fails ride on a cached one", async () => {
    const cached = createTokenVerifier({ secret: SECRET });
    const good = await hs256({ sub: "alice", client_account_id: "acme" });
    await cached.verify(`Bearer ${good}`);
    const forged = `${good.slice(0, good.lastIndexOf(".") + 1)}${"A".repeat(43)}`;
    expect((await rejection(cached.verify(`Bearer ${forged}`))).details.reason).toBe("bad_signature");
  });
});
