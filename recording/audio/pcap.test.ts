import { describe, expect, it } from "vitest";
import { pcapFile, type CapturedDatagram } from "../../test/recording/pcap-writer.ts";
import { LINK_TYPE, parsePcap, PcapFormatError } from "./pcap.ts";
import { udpDatagram } from "./udp.ts";

const datagrams: CapturedDatagram[] = [
  {
    capturedAtMs: 1_767_610_800_123.456,
    source: { address: "192.0.2.1", port: 4000 },
    destination: { address: "192.0.2.100", port: 30000 },
    payload: Uint8Array.of(1, 2, 3),
  },
  {
    capturedAtMs: 1_767_610_800_143.789,
    source: { address: "2001:db8::2", port: 5000 },
    destination: { address: "2001:db8:0:1::100", port: 30002 },
    payload: Uint8Array.of(4, 5),
  },
];

function datagramsOf(file: Buffer): ReturnType<typeof udpDatagram>[] {
  const pcap = parsePcap(file, "call.pcap");
  return pcap.frames.map((f) => udpDatagram(pcap.linkType, f.capturedAtMs, f.data));
}

describe("pcap reading", () => {
  for (const littleEndian of [true, false]) {
    for (const nanosecondTimestamps of [false, true]) {
      it(`reads ${littleEndian ? "little" : "big"}-endian files with ${nanosecondTimestamps ? "nano" : "micro"}second times`, () => {
        const file = pcapFile(datagrams, { littleEndian, nanosecondTimestamps });
        const pcap = parsePcap(file, "call.pcap");
        expect(pcap).toMatchObject({ linkType: LINK_TYPE.raw, nanosecondTimestamps, truncated: false });
        const read = datagramsOf(file);
        expect(read.map((d) => d?.capturedAtMs)).toEqual([
          expect.closeTo(datagrams[0]!.capturedAtMs, nanosecondTimestamps ? 6 : 3),
          expect.closeTo(datagrams[1]!.capturedAtMs, nanosecondTimestamps ? 6 : 3),
        ]);
        expect(read[0]).toMatchObject({
          source: { address: "192.0.2.1", port: 4000 },
          destination: { address: "192.0.2.100", port: 30000 },
        });
        expect(read[1]).toMatchObject({
          source: { address: "2001:db8::2", port: 5000 },
          destination: { address: "2001:db8:0:1::100", port: 30002 },
        });
        expect(read.map((d) => [...d!.payload])).toEqual([
          [1, 2, 3],
          [4, 5],
        ]);
      });
    }
  }

  it("reads Ethernet frames (as rtpengine's eth recording format writes them)", () => {
    expect(datagramsOf(pcapFile(datagrams, { linkType: LINK_TYPE.ethernet })).map((d) => d?.source.port)).toEqual([
      4000, 5000,
    ]);
  });

  it("reads the IPv4-only and IPv6-only link types", () => {
    expect(datagramsOf(pcapFile(datagrams.slice(0, 1), { linkType: LINK_TYPE.ipv4 }))[0]?.source.port).toBe(4000);
    expect(datagramsOf(pcapFile(datagrams.slice(1), { linkType: LINK_TYPE.ipv6 }))[0]?.source.port).toBe(5000);
  });

  it("keeps the complete records of a file cut short mid-record", () => {
    const file = pcapFile(datagrams);
    const pcap = parsePcap(file.subarray(0, file.length - 3), "call.pcap");
    expect(pcap.truncated).toBe(true);
    expect(pcap.frames).toHaveLength(1);
  });

  it("refuses another link type naming the file and the link type", () => {
    const linuxCooked = pcapFile(datagrams, { linkType: 113 });
    expect(() => parsePcap(linuxCooked, "/spool/pcaps/abc.pcap")).toThrow(PcapFormatError);
    expect(() => parsePcap(linuxCooked, "/spool/pcaps/abc.pcap")).toThrow(
      /^\/spool\/pcaps\/abc\.pcap: link type 113 is not supported/,
    );
  });

  it("refuses pcapng and files that are not pcap", () => {
    const pcapng = Buffer.alloc(28);
    pcapng.writeUInt32BE(0x0a0d0d0a, 0);
    expect(() => parsePcap(pcapng, "a.pcapng")).toThrow(/a\.pcapng: is a pcapng file/);
    expect(() => parsePcap(Buffer.alloc(30, 7), "x.pcap")).toThrow(/x\.pcap: is not a pcap file/);
    expect(() => parsePcap(Buffer.alloc(3), "y.pcap")).toThrow(/y\.pcap: too short/);
  });
});
