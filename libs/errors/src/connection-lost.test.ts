import { describe, expect, it } from "vitest";
import { isConnectionLost, isUnstorableText } from "./connection-lost.ts";

describe("isConnectionLost", () => {
  it("knows a terminated backend, a dropped socket and a refused connection", () => {
    expect(
      isConnectionLost(
        Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" }),
      ),
    ).toBe(true);
    expect(isConnectionLost(new Error("Connection terminated unexpectedly"))).toBe(true);
    expect(
      isConnectionLost(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" })),
    ).toBe(true);
    expect(isConnectionLost(new Error("wrapped", { cause: Object.assign(new Error("x"), { code: "08006" }) }))).toBe(
      true,
    );
  });

  it("leaves a wrong query, a constraint and an ordinary error alone", () => {
    expect(isConnectionLost(Object.assign(new Error('relation "x" does not exist'), { code: "42P01" }))).toBe(false);
    expect(isConnectionLost(Object.assign(new Error("duplicate key"), { code: "23505" }))).toBe(false);
    expect(isConnectionLost(new Error("something else"))).toBe(false);
    expect(isConnectionLost(undefined)).toBe(false);
  });
});

describe("isUnstorableText", () => {
  it("knows text PostgreSQL cannot store, and nothing else", () => {
    expect(
      isUnstorableText(Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: "22021" })),
    ).toBe(true);
    expect(isUnstorableText(Object.assign(new Error("duplicate key"), { code: "23505" }))).toBe(false);
    expect(isUnstorableText(new Error("x"))).toBe(false);
  });
});
