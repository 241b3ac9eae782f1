import { describe, expect, it } from "vitest";
import { oncePerEvent } from "./once-per-event.ts";

describe("oncePerEvent", () => {
  it("encodes each event object once per encoding", () => {
    let calls = 0;
    const frame = (event: { id: string }) => {
      calls++;
      return `id: ${event.id}`;
    };
    const upper = (event: { id: string }) => event.id.toUpperCase();
    const a = { id: "a" };
    const b = { id: "b" };
    expect(oncePerEvent(a, frame)).toBe("id: a");
    expect(oncePerEvent(a, frame)).toBe("id: a");
    expect(oncePerEvent(b, frame)).toBe("id: b");
    expect(calls).toBe(2);
    expect(oncePerEvent(a, upper)).toBe("A");
    // Equal content in another object is another event.
    expect(oncePerEvent({ id: "a" }, frame)).toBe("id: a");
    expect(calls).toBe(3);
  });
});
