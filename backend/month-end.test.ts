import { describe, expect, it } from "vitest";
import { endOfMonth } from "./month-end.ts";

describe("endOfMonth", () => {
  it("ends a UTC month at midnight UTC of the first of the next", () => {
    expect(endOfMonth("UTC", new Date("2025-03-14T10:00:00Z")).toISOString()).toBe("2025-04-01T00:00:00.000Z");
  });
  it("ends a leap-year February after the 29th", () => {
    expect(endOfMonth("UTC", new Date("2024-02-14T10:00:00Z")).toISOString()).toBe("2024-03-01T00:00:00.000Z");
  });
  it("uses the account's zone: UTC+13 months end 13 hours before UTC's", () => {
    // Pacific/Tongatapu is UTC+13 all year.
    expect(endOfMonth("Pacific/Tongatapu", new Date("2025-06-14T00:00:00Z")).toISOString()).toBe("2025-06-30T11:00:00.000Z");
  });
  it("counts a UTC instant that is already next month locally as that month", () => {
    // 2025-06-30T12:00Z is 2025-07-01 01:00 in Tonga: the month that ends is July.
    expect(endOfMonth("Pacific/Tongatapu", new Date("2025-06-30T12:00:00Z")).toISOString()).toBe("2025-07-31T11:00:00.000Z");
  });
  it("handles a DST month in London (BST in October, GMT in November)", () => {
    expect(endOfMonth("Europe/London", new Date("2025-10-10T12:00:00Z")).toISOString()).toBe("2025-11-01T00:00:00.000Z");
    expect(endOfMonth("Europe/London", new Date("2025-03-10T12:00:00Z")).toISOString()).toBe("2025-03-31T23:00:00.000Z");
  });
  it("rolls December over into the next year", () => {
    expect(endOfMonth("America/New_York", new Date("2025-12-20T12:00:00Z")).toISOString()).toBe("2026-01-01T05:00:00.000Z");
  });
});
