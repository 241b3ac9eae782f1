import { DEV_JWT_SECRET } from "@migrate/config";
import { describe, expect, it } from "vitest";
import { usesDevelopmentSecret } from "./dev-token-route.ts";

describe("usesDevelopmentSecret", () => {
  it("holds without a secret or JWKS, and with the development secret itself, outside production", () => {
    expect(usesDevelopmentSecret({ NODE_ENV: "development" })).toBe(true);
    expect(usesDevelopmentSecret({ NODE_ENV: "test", JWT_SECRET: DEV_JWT_SECRET })).toBe(true);
  });

  it("does not hold with a secret of its own, a JWKS, or in production", () => {
    expect(usesDevelopmentSecret({ NODE_ENV: "development", JWT_SECRET: "a-real-secret-of-32-characters!!" })).toBe(
      false,
    );
    expect(usesDevelopmentSecret({ NODE_ENV: "development", JWT_JWKS_URL: "https://idp.example/jwks" })).toBe(false);
    expect(
      usesDevelopmentSecret({ NODE_ENV: "development", JWT_SECRET: DEV_JWT_SECRET, JWT_JWKS_URL: "https://idp/jwks" }),
    ).toBe(false);
    expect(usesDevelopmentSecret({ NODE_ENV: "production", JWT_SECRET: DEV_JWT_SECRET })).toBe(false);
  });
});
