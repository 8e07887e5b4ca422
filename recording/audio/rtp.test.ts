import { describe, expect, it } from "vitest";
import { rtcpReceiverReport, rtpPacket } from "../../test/recording/rtp-stream.ts";
import { parseRtp } from "./rtp.ts";

const payload = Uint8Array.of(1, 2, 3, 4, 5);

describe("RTP parsing", () => {
  it("reads the header fields and the payload", () => {
    const packet = parseRtp(
      rtpPacket({
        payloadType: 8,
        sequenceNumber: 65535,
        timestamp: 0xfffffff0,
        ssrc: 0xdeadbeef,
        marker: true,
        payload,
      }),
    );
    expect(packet).toMatchObject({
      payloadType: 8,
      marker: true,
      sequenceNumber: 65535,
      timestamp: 0xfffffff0,
      ssrc: 0xdeadbeef,
    });
    expect([...packet!.payload]).toEqual([...payload]);
  });

  it("skips CSRCs and the extension header, and drops padding", () => {
    const packet = parseRtp(
      rtpPacket({
        payloadType: 0,
        sequenceNumber: 7,
        timestamp: 160,
        ssrc: 1,
        payload,
        csrcs: [11, 12],
        extensionWords: 2,
        paddingBytes: 3,
      }),
    );
    expect(packet?.sequenceNumber).toBe(7);
    expect([...packet!.payload]).toEqual([...payload]);
  });

  it("is not fooled by RTCP, other versions or short or inconsistent datagrams", () => {
    expect(parseRtp(rtcpReceiverReport(1))).toBeNull();
    const rtp = rtpPacket({ payloadType: 0, sequenceNumber: 1, timestamp: 1, ssrc: 1, payload });
    const version1 = Buffer.from(rtp);
    version1[0] = 0x40;
    expect(parseRtp(version1)).toBeNull();
    expect(parseRtp(rtp.subarray(0, 11))).toBeNull();
    expect(parseRtp(Buffer.from("STUN or anything else"))).toBeNull();
    const badPadding = Buffer.from(
      rtpPacket({ payloadType: 0, sequenceNumber: 1, timestamp: 1, ssrc: 1, payload, paddingBytes: 2 }),
    );
    badPadding[badPadding.length - 1] = 200; // more padding than the packet holds
    expect(parseRtp(badPadding)).toBeNull();
    const csrcsMissing = Buffer.from(rtp.subarray(0, 12));
    csrcsMissing[0] = 0x80 | 3;
    expect(parseRtp(csrcsMissing)).toBeNull();
  });
});
