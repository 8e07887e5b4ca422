// The mails' words: durations, the start in the account's zone, subjects that stay within a subject's limit.
import { describe, expect, it } from "vitest";
import { recordingEventSource } from "./not-recorded.ts";
import { describeNumber, formatDuration, formatInstant, notRecordedSubject, recordingSubject } from "./mail-text.ts";

describe("recording mails' words", () => {
  it("write durations as m:ss, or h:mm:ss from an hour", () => {
    expect([0.4, 42, 1249.9, 3723].map(formatDuration)).toEqual(["0:00", "0:42", "20:50", "1:02:03"]);
  });

  it("show the start in the account's time zone, named", () => {
    const at = new Date("2026-07-01T12:00:05Z");
    expect(formatInstant(at, "Europe/London")).toBe("1 Jul 2026, 13:00:05 (Europe/London)");
    expect(formatInstant(at, "Asia/Tokyo")).toBe("1 Jul 2026, 21:00:05 (Asia/Tokyo)");
  });

  it("name a number as dialled, and as sent when the dial plan changed it", () => {
    expect(describeNumber("local", "71234567", "02071234567")).toBe("71234567 (local number, sent as 02071234567)");
    expect(describeNumber("international", "+33123456789", "+33123456789")).toBe("+33123456789 (international number)");
  });

  it("keep subjects within 200 characters, cutting the user's part", () => {
    const long = "x".repeat(200);
    const part = recordingSubject(long, { part: 2, parts: 3, fromSeconds: 0, toSeconds: 1 });
    expect(part).toHaveLength(200);
    expect(part.endsWith("… (part 2 of 3)")).toBe(true);
    expect(recordingSubject("Calls", { part: 1, parts: 1, fromSeconds: 0, toSeconds: 1 })).toBe("Calls");
    expect(notRecordedSubject(long)).toHaveLength(200);
    expect(notRecordedSubject("Calls")).toBe("Call not recorded: Calls");
  });
});

describe("the registrar's recording events", () => {
  it("are read with their times as instants", async () => {
    const rows = [
      { id: 7, callId: "a@b", metadata: "v=1", reason: "relay-unavailable", createdAt: "2026-12-06T15:33:06.000Z" },
    ];
    const source = recordingEventSource({
      recordingEvents: async () => rows,
      deleteRecordingEvents: async () => undefined,
    });
    const events = await source.recordingEvents(10);
    expect(events.map((e) => [e.id, e.createdAt.toISOString()])).toEqual([[7, "2026-12-06T15:33:06.000Z"]]);
  });
});
