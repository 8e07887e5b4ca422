import { describe, expect, it } from "vitest";
import { endOfMonth } from "./month-end.ts";

const MINUTE = 60_000;

/**
 * The oracle: the minute after the last minute whose local date (read with a date-only formatter) is still
 * before the 1st of the month after (year, month), within 17 hours either side of midnight UTC. Where the
 * zone's offset is the same at both ends, local dates only move forward and a coarse-to-fine scan finds
 * it; elsewhere every minute of the window is read. Nothing in it is shared with the implementation.
 */
function endOfMonthByScan(tz: string, year: number, month: number): number {
  const day = new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" });
  const zoneName = new Intl.DateTimeFormat("en-US", { timeZone: tz, timeZoneName: "shortOffset" });
  const offset = (ms: number) => zoneName.formatToParts(ms).find((part) => part.type === "timeZoneName")?.value;
  const next = month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, "0")}-01`;
  const before = (ms: number) => day.format(ms) < next;
  const from = Date.UTC(year, month, 1) - 17 * 60 * MINUTE;
  const to = Date.UTC(year, month, 1) + 17 * 60 * MINUTE;
  if (offset(from) !== offset(to)) {
    let last = from;
    for (let t = from; t <= to; t += MINUTE) if (before(t)) last = t;
    return last + MINUTE;
  }
  let t = from;
  for (const step of [60 * MINUTE, 10 * MINUTE, MINUTE]) {
    while (before(t + step)) t += step;
  }
  return t + MINUTE;
}

describe("endOfMonth", () => {
  it("ends a UTC month at midnight UTC of the first of the next", () => {
    expect(endOfMonth("UTC", new Date("2025-03-14T10:00:00Z")).toISOString()).toBe("2025-04-01T00:00:00.000Z");
  });
  it("ends a leap-year February after the 29th", () => {
    expect(endOfMonth("UTC", new Date("2024-02-14T10:00:00Z")).toISOString()).toBe("2024-03-01T00:00:00.000Z");
  });
  it("uses the account's zone: UTC+13 months end 13 hours before UTC's", () => {
    // Pacific/Tongatapu is UTC+13 all year.
    expect(endOfMonth("Pacific/Tongatapu", new Date("2025-06-14T00:00:00Z")).toISOString()).toBe(
      "2025-06-30T11:00:00.000Z",
    );
  });
  it("counts a UTC instant that is already next month locally as that month", () => {
    // 2025-06-30T12:00Z is 2025-07-01 01:00 in Tonga: the month that ends is July.
    expect(endOfMonth("Pacific/Tongatapu", new Date("2025-06-30T12:00:00Z")).toISOString()).toBe(
      "2025-07-31T11:00:00.000Z",
    );
  });
  it("handles a DST month in London (BST in October, GMT in November)", () => {
    expect(endOfMonth("Europe/London", new Date("2025-10-10T12:00:00Z")).toISOString()).toBe(
      "2025-11-01T00:00:00.000Z",
    );
    expect(endOfMonth("Europe/London", new Date("2025-03-10T12:00:00Z")).toISOString()).toBe(
      "2025-03-31T23:00:00.000Z",
    );
  });
  it("ends the month when daylight saving skips midnight on the 1st: at the skip, not an hour before", () => {
    // America/Asuncion went from 2023-09-30 23:59:59 -04 to 2023-10-01 01:00 -03.
    expect(endOfMonth("America/Asuncion", new Date("2023-09-15T12:00:00Z")).toISOString()).toBe(
      "2023-10-01T04:00:00.000Z",
    );
  });
  it("ends the month at the second midnight when the clocks go back across it", () => {
    // America/Goose_Bay went from 2009-11-01 00:01 -03 back to 2009-10-31 23:01 -04: October ends at 00:00 -04.
    expect(endOfMonth("America/Goose_Bay", new Date("2009-10-15T12:00:00Z")).toISOString()).toBe(
      "2009-11-01T04:00:00.000Z",
    );
  });
  it("is right in every IANA time zone for every month from 2000 to 2030, against a scan of local dates", async () => {
    const wrong: string[] = [];
    for (const tz of Intl.supportedValuesOf("timeZone")) {
      // Half a minute of work in all: let the test worker answer its runner between zones.
      await new Promise((resolve) => setImmediate(resolve));
      for (let year = 2000; year <= 2030; year++) {
        for (let month = 1; month <= 12; month++) {
          const expected = endOfMonthByScan(tz, year, month);
          const got = endOfMonth(tz, new Date(expected - 10 * 24 * 60 * MINUTE)).getTime();
          if (got !== expected)
            wrong.push(
              `${tz} ${year}-${month}: ${new Date(got).toISOString()}, not ${new Date(expected).toISOString()}`,
            );
        }
      }
    }
    expect(wrong).toEqual([]);
  }, 600_000); // CPU-bound: on a shared, loaded machine it can take several times its usual half minute
  it("rolls December over into the next year", () => {
    expect(endOfMonth("America/New_York", new Date("2025-12-20T12:00:00Z")).toISOString()).toBe(
      "2026-01-01T05:00:00.000Z",
    );
  });
});
