import { describe, expect, it } from "vitest";
import { createRestRouter, type Route } from "./rest-router.ts";

const route = (method: string, template: string): Route => ({ method, template, handle: async () => {} });
const match = createRestRouter([route("POST", "/v1/flows"), route("GET", "/v1/flows"), route("GET", "/v1/flows/{id}")]);

describe("createRestRouter", () => {
  it("matches templates and decodes parameters", () => {
    const found = match("GET", "/v1/flows/abc%2Fdef");
    expect(found).toMatchObject({ kind: "found", route: { template: "/v1/flows/{id}" }, params: { id: "abc/def" } });
    expect(match("POST", "/v1/flows/")).toMatchObject({ kind: "found", route: { method: "POST" } });
  });

  it("refuses a parameter whose percent-encoding is not UTF-8 with INVALID_ARGUMENT, not a URIError", () => {
    expect(() => match("GET", "/v1/flows/%ff")).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT", details: { field: "path", value: "%ff" } }),
    );
  });

  it("tells a wrong method from an unknown path", () => {
    expect(match("DELETE", "/v1/flows")).toEqual({
      kind: "method_not_allowed",
      template: "/v1/flows",
      allowed: ["POST", "GET"],
    });
    expect(match("GET", "/v1/flows/a/b")).toEqual({ kind: "not_found" });
    expect(match("GET", "/v2/flows")).toEqual({ kind: "not_found" });
  });
});
