import { describe, expect, it } from "vitest";
import { backoffDelay, parseRetryAfter } from "./http.ts";

describe("Retry-After", () => {
  it("reads delay-seconds", () => {
    expect(parseRetryAfter("3")).toBe(3000);
  });
  it("reads an HTTP date relative to now, never negative", () => {
    const now = Date.parse("2026-11-26T12:00:00Z");
    expect(parseRetryAfter("Thu, 26 Nov 2026 12:00:05 GMT", now)).toBe(5000);
    expect(parseRetryAfter("Thu, 26 Nov 2026 11:00:00 GMT", now)).toBe(0);
  });
  it("ignores an absent or unreadable header", () => {
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter("soon")).toBeUndefined();
  });
});

describe("backoff", () => {
  it("grows exponentially up to the cap, with full jitter", () => {
    expect(backoffDelay(0, 200, 10_000, () => 0.999)).toBe(199);
    expect(backoffDelay(3, 200, 10_000, () => 0.999)).toBe(1598);
    expect(backoffDelay(20, 200, 10_000, () => 0.999)).toBe(9990);
    expect(backoffDelay(3, 200, 10_000, () => 0)).toBe(0);
  });
});
