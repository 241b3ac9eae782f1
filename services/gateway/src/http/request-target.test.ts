import { MeshError } from "@migrate/errors";
import { describe, expect, it } from "vitest";
import { decodePathSegment, parseRequestTarget } from "./request-target.ts";

function refusal(run: () => unknown): MeshError {
  try {
    run();
  } catch (error) {
    return error as MeshError;
  }
  throw new Error("expected a refusal");
}

describe("parseRequestTarget", () => {
  it("reads the origin form and the absolute form, keeping the query as sent", () => {
    expect(parseRequestTarget("/v1/flows?limit=5&cursor=a%2Fb").pathname).toBe("/v1/flows");
    expect(parseRequestTarget("/v1/flows?limit=5&cursor=a%2Fb").searchParams.get("cursor")).toBe("a/b");
    expect(parseRequestTarget("http://example.com:8080/healthz?x=1").pathname).toBe("/healthz");
    // A leading double slash is a path, never a host.
    expect(parseRequestTarget("//evil.example/v1/flows").pathname).toBe("//evil.example/v1/flows");
    // Malformed escapes in the query are left to URLSearchParams, which never throws.
    expect(parseRequestTarget("/v1/flows?status=%zz").searchParams.get("status")).toBe("%zz");
  });

  it.each(["//[", "/v1/flows/[x]", "/a b", "*", "", "v1/flows", "/%zz", "/%", "http://[/x"])(
    "refuses %j with INVALID_ARGUMENT naming the path",
    (target) => {
      const error = refusal(() => parseRequestTarget(target));
      expect(error).toBeInstanceOf(MeshError);
      expect(error.code).toBe("INVALID_ARGUMENT");
      expect(error.message).toMatch(/^malformed request target/);
      expect(error.details).toEqual({ field: "path", value: target });
    },
  );
});

describe("decodePathSegment", () => {
  it("decodes UTF-8 escapes and refuses the others", () => {
    expect(decodePathSegment("abc%2Fdef")).toBe("abc/def");
    expect(decodePathSegment("%C3%A9")).toBe("é");
    for (const segment of ["%ff", "%E0%A4%A", "%C3"]) {
      const error = refusal(() => decodePathSegment(segment));
      expect(error.code).toBe("INVALID_ARGUMENT");
      expect(error.message).toBe("malformed percent-encoding in the path: escapes must encode UTF-8");
    }
  });
});
