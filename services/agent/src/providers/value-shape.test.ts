import { describe, expect, it } from "vitest";
import { valueShape, valueShapes } from "./value-shape.ts";

describe("value shapes", () => {
  it("names kinds of values without their content", () => {
    expect(valueShape("jane.doe@acme.com")).toBe("email address");
    expect(valueShape("10.0.0.12")).toBe("ip address");
    expect(valueShape("00:1a:2b:3c:4d:5e")).toBe("mac address");
    expect(valueShape("4223e0a4-3b5a-4f3c-9b1a-2f8a1e6c7d90")).toBe("uuid");
    expect(valueShape("2026-11-26")).toBe("date");
    expect(valueShape("16384")).toBe("integer (5 digits)");
    expect(valueShape("3.5")).toBe("decimal number");
  });

  it("names vocabulary words by their normalised value, which is what makes a column recognisable", () => {
    expect(valueShape("Prod")).toBe("environment word (production)");
    expect(valueShape("poweredOn")).toBe("power state word (on)");
    expect(valueShape("Windows Server 2019")).toBe("operating system (windows)");
  });

  it("masks anything else, so names and host names never leave as written", () => {
    expect(valueShape("Jane Doe")).toBe("Aaaa Aaa");
    expect(valueShape("web-01.corp")).toBe("aaa-99.aaaa");
    expect(valueShape("a very long free text value that goes on")).toBe("a aaaa aaaa aaaa aaaa aa…");
    expect(valueShape("  ")).toBeUndefined();
    expect(valueShapes(["Jane Doe", "Bob Ross", "Al Bo", "x", "y", "z"], 3)).toEqual(["Aaaa Aaa", "Aaa Aaaa", "Aa Aa"]);
  });
});
