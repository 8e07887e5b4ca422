// The call's recording metadata line (written by Kamailio at call start, read back from the relay's file) and
// rtpengine's metadata file of a finished call. The `rtpengine-meta-*.txt` fixtures are files rtpengine 10.5
// wrote on this machine for three calls: recorded from the offer (`record call: yes`), recorded from the answer
// (`start recording`, what Kamailio does at the 200 OK) and one whose offer carried no metadata.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  CallMetadataError,
  formatCallMetadata,
  parseCallMetadata,
  parseRelayMetadata,
  RelayMetadataError,
  type CallMetadata,
} from "./call-metadata.ts";

const fixture = (name: string) =>
  readFileSync(new URL(`../test/recording/fixtures/rtpengine-meta-${name}.txt`, import.meta.url), "utf8");

const john: CallMetadata = {
  userId: "usr_john0000000001",
  extension: "201",
  dialled: "71234567",
  to: "02071234567",
  kind: "local",
  email: "john@example.com",
  subject: "Calls of John – recorded",
};

const hex = (s: string) => Buffer.from(s, "utf8").toString("hex");

describe("the call's recording metadata", () => {
  it("is written in the contract's form: v=1, then every value hex-encoded, keys in order", () => {
    expect(formatCallMetadata(john)).toBe(
      `v=1&user=${hex(john.userId)}&ext=${hex("201")}&dialled=${hex("71234567")}&to=${hex("02071234567")}` +
        `&kind=${hex("local")}&email=${hex("john@example.com")}&subject=${hex("Calls of John – recorded")}`,
    );
  });

  it("reads back what it writes, with hex in either case and unknown keys ignored", () => {
    const line = formatCallMetadata(john);
    expect(parseCallMetadata(line)).toEqual(john);
    const upper = line.replace(/=([0-9a-f]+)/g, (_, h: string) => `=${h.toUpperCase()}`);
    expect(parseCallMetadata(`${upper}&future=${hex("x")}`)).toEqual(john);
  });

  it("reads the line rtpengine wrote at the end of its metadata file", () => {
    const written = parseRelayMetadata(fixture("offer-recorded")).metadata;
    expect(parseCallMetadata(written ?? "")).toEqual(john);
  });

  it("refuses another version, a missing key, bad hex, and fields breaking the recording settings' rules", () => {
    const line = formatCallMetadata(john);
    const refused = (l: string) => {
      try {
        parseCallMetadata(l);
      } catch (e) {
        expect(e).toBeInstanceOf(CallMetadataError);
        return (e as Error).message;
      }
      throw new Error("accepted");
    };
    expect(refused(line.replace("v=1", "v=2"))).toContain("version 2");
    expect(refused(line.replace(/&kind=[0-9a-f]+/, ""))).toContain("no kind");
    expect(refused(line.replace(/email=[0-9a-f]+/, "email=zz"))).toContain("email is not hex");
    const badEmail = line.replace(/email=[0-9a-f]+/, `email=${hex("not an address")}`);
    expect(refused(badEmail)).toContain("email");
    expect(refused(badEmail)).not.toContain("not an address");
    expect(refused(line.replace(/ext=[0-9a-f]+/, `ext=${hex("999")}`))).toContain("emergency");
    expect(refused(line.replace(/kind=[0-9a-f]+/, `kind=${hex("moon")}`))).toContain("kind");
    expect(refused("garbage")).toContain("key=value");
  });

  it("refuses to write what it could not read back", () => {
    expect(() => formatCallMetadata({ ...john, subject: "two\nlines" })).toThrow();
  });
});

describe("rtpengine's metadata file", () => {
  it("gives the pcap, the answer and end times and the call's start and end, recorded from the offer", () => {
    const m = parseRelayMetadata(fixture("offer-recorded"));
    expect(m.pcapPaths).toEqual([expect.stringMatching(/\/pcaps\/offer-recorded%40pbx-[0-9a-f]{16}\.pcap$/)]);
    expect(m.sdps.map((s) => s.mode)).toEqual(["offer", "answer"]);
    expect(m.answeredAtMs).toBe(1796571186073.702);
    expect(m.terminatedAtMs).toBe(1796571186784.946);
    expect(m.callStartMs).toBe(new Date("2026-12-06T15:33:06").getTime());
    expect(m.callEndMs).toBe(new Date("2026-12-06T15:33:06").getTime());
  });

  it("has no answer time when recording started at the answer (then the first packet starts the recording)", () => {
    const m = parseRelayMetadata(fixture("started-at-answer"));
    expect(m.sdps).toEqual([]);
    expect(m.answeredAtMs).toBeNull();
    expect(m.terminatedAtMs).toBe(1796571187498.595);
    expect(m.metadata).toMatch(/^v=1&user=/);
  });

  it("has no metadata string when the offer carried none", () => {
    const m = parseRelayMetadata(fixture("no-metadata"));
    expect(m.metadata).toBeNull();
    expect(m.answeredAtMs).toBe(1796571187499.951);
  });

  it("refuses a file that does not name the call's pcap first", () => {
    expect(() => parseRelayMetadata("")).toThrow(RelayMetadataError);
    expect(() => parseRelayMetadata("call start time: 2026-12-06T15:33:06\n")).toThrow(RelayMetadataError);
  });
});
