import { describe, expect, it } from "vitest";
import type { CapturedDatagram } from "../../test/recording/pcap-writer.ts";
import {
  PCMA,
  PCMU,
  rtcpReceiverReport,
  rtpPacket,
  telephoneEventPayload,
  toneStream,
} from "../../test/recording/rtp-stream.ts";
import { hasTone, toneSpans } from "../../test/recording/tones.ts";
import { mixCall } from "./mix.ts";

const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);
const caller = { address: "192.0.2.10", port: 4000 };
const relayA = { address: "192.0.2.1", port: 30000 };
const callee = { address: "192.0.2.20", port: 5000 };
const relayB = { address: "192.0.2.1", port: 30002 };

const oneSecondOf440 = (extra: Partial<Parameters<typeof toneStream>[0]> = {}): CapturedDatagram[] =>
  toneStream({
    source: caller,
    destination: relayA,
    payloadType: PCMU,
    frequency: 440,
    ssrc: 0x1111,
    startMs: T0,
    durationMs: 1000,
    ...extra,
  });

describe("mixing a call's packets", () => {
  it("lays one direction on a timeline from its first to its last packet", () => {
    const call = mixCall(oneSecondOf440());
    expect(call.startedAtMs).toBe(T0);
    expect(call.durationSeconds).toBe(1);
    expect(call.samples).toHaveLength(8000);
    expect(hasTone(call.samples, 440, 0, 1)).toBe(true);
    expect(call.directions).toEqual([
      { source: caller, destination: relayA, ssrcs: [0x1111], packets: 50, lost: 0, duplicates: 0, skipped: 0 },
    ]);
  });

  it("undoes reordering, drops duplicates and is not shifted by capture-time jitter", () => {
    const inOrder = mixCall(oneSecondOf440());
    const packets = oneSecondOf440().map((p, i) => ({
      ...p,
      capturedAtMs: p.capturedAtMs + (i === 0 ? 0 : (i * 7) % 13),
    }));
    // Overtaken packets: each arrives after the ones sent after it.
    packets[10] = { ...packets[10]!, capturedAtMs: packets[11]!.capturedAtMs + 4 };
    packets[30] = { ...packets[30]!, capturedAtMs: packets[33]!.capturedAtMs + 1 };
    packets.splice(
      20,
      0,
      { ...packets[19]!, capturedAtMs: packets[19]!.capturedAtMs + 1 },
      { ...packets[5]!, capturedAtMs: packets[19]!.capturedAtMs + 2 },
    );
    const call = mixCall(packets);
    expect(call.directions[0]).toMatchObject({ packets: 50, lost: 0, duplicates: 2 });
    expect(call.samples).toEqual(inOrder.samples);
  });

  it("starts at the first packet's place even when that packet was delayed more than the next", () => {
    const packets = oneSecondOf440();
    packets[0] = { ...packets[0]!, capturedAtMs: T0 + 15 };
    const call = mixCall(packets);
    expect(call.startedAtMs).toBe(T0);
    expect(call.samples).toEqual(mixCall(oneSecondOf440()).samples);
  });

  it("leaves lost packets silent and counts them", () => {
    const packets = oneSecondOf440().filter((_, i) => i !== 20 && i !== 21 && i !== 40);
    const call = mixCall(packets);
    expect(call.directions[0]).toMatchObject({ packets: 47, lost: 3 });
    expect(call.durationSeconds).toBe(1);
    expect(call.samples.subarray(20 * 160, 22 * 160).every((s) => s === 0)).toBe(true);
    expect(call.samples.subarray(40 * 160, 41 * 160).every((s) => s === 0)).toBe(true);
    expect(hasTone(call.samples, 440, 0.45, 0.75)).toBe(true);
  });

  it("follows sequence numbers and timestamps across their wrap", () => {
    const call = mixCall(oneSecondOf440({ firstSequenceNumber: 65_530, firstTimestamp: 2 ** 32 - 800 }));
    expect(call.directions[0]).toMatchObject({ packets: 50, lost: 0 });
    expect(call.durationSeconds).toBe(1);
    expect(toneSpans(call.samples, 440)).toEqual([[0, 1]]);
  });

  it("places a pause by capture time when the sender's timestamps did not follow it", () => {
    const before = oneSecondOf440();
    const after = oneSecondOf440({ startMs: T0 + 2000, firstSequenceNumber: 1050, firstTimestamp: 50_000 + 50 * 160 });
    const call = mixCall([...before, ...after]);
    expect(call.durationSeconds).toBe(3);
    expect(toneSpans(call.samples, 440)).toEqual([
      [0, 1],
      [2, 3],
    ]);
  });

  it("takes restarted sequence numbers under one SSRC for a restarted sender, not loss", () => {
    for (const restartAt of [10, 40_000]) {
      const first = oneSecondOf440({ firstSequenceNumber: 5000 });
      const second = oneSecondOf440({ startMs: T0 + 1500, firstSequenceNumber: restartAt, firstTimestamp: 0 });
      const call = mixCall([...first, ...second]);
      expect(call.directions[0], `restart at ${restartAt}`).toMatchObject({ packets: 100, lost: 0 });
      expect(toneSpans(call.samples, 440)).toEqual([
        [0, 1],
        [1.5, 2.5],
      ]);
    }
  });

  it("places a new SSRC by its capture time", () => {
    const first = toneStream({
      source: callee,
      destination: relayB,
      payloadType: PCMA,
      frequency: 1000,
      ssrc: 1,
      startMs: T0,
      durationMs: 500,
    });
    const second = toneStream({
      source: callee,
      destination: relayB,
      payloadType: PCMA,
      frequency: 1000,
      ssrc: 2,
      startMs: T0 + 800,
      durationMs: 500,
      firstSequenceNumber: 7,
      firstTimestamp: 123,
    });
    const call = mixCall([...first, ...second]);
    expect(call.directions).toEqual([
      { source: callee, destination: relayB, ssrcs: [1, 2], packets: 50, lost: 0, duplicates: 0, skipped: 0 },
    ]);
    expect(toneSpans(call.samples, 1000)).toEqual([
      [0, 0.5],
      [0.8, 1.3],
    ]);
  });

  it("sums both directions with saturation", () => {
    const loud = { amplitude: 32767, frequency: 1 }; // a near-DC signal at full scale
    const a = oneSecondOf440(loud);
    const b = toneStream({
      source: callee,
      destination: relayB,
      payloadType: PCMA,
      ssrc: 2,
      startMs: T0,
      durationMs: 1000,
      ...loud,
    });
    const call = mixCall([...a, ...b]);
    expect(call.directions).toHaveLength(2);
    expect(Math.max(...call.samples)).toBe(32767);
  });

  it("cuts the timeline to the answer and the hang-up", () => {
    const call = mixCall(oneSecondOf440(), { answeredAtMs: T0 + 250, hungUpAtMs: T0 + 1500 });
    expect(call.startedAtMs).toBe(T0 + 250);
    expect(call.durationSeconds).toBe(1.25);
    expect(toneSpans(call.samples, 440)).toEqual([[0, 0.75]]);
  });

  it("skips RTCP, comfort noise and telephone events without a gap in the counts", () => {
    const packets = oneSecondOf440();
    const event = (i: number): CapturedDatagram => ({
      ...packets[i]!,
      payload: rtpPacket({
        payloadType: 101,
        sequenceNumber: 1000 + i,
        timestamp: 50_000 + 20 * 160,
        ssrc: 0x1111,
        payload: telephoneEventPayload(5, (i - 19) * 160, i === 22),
      }),
    });
    const comfortNoise: CapturedDatagram = {
      ...packets[40]!,
      payload: rtpPacket({
        payloadType: 13,
        sequenceNumber: 1040,
        timestamp: 50_000 + 40 * 160,
        ssrc: 0x1111,
        payload: Uint8Array.of(40),
      }),
    };
    const mixed = packets.map((p, i) => (i >= 20 && i <= 22 ? event(i) : i === 40 ? comfortNoise : p));
    mixed.push({
      ...packets[0]!,
      destination: { ...relayA, port: relayA.port + 1 },
      payload: rtcpReceiverReport(0x1111),
    });
    mixed.push({ ...packets[0]!, payload: Buffer.from("not RTP at all") });
    const call = mixCall(mixed);
    expect(call.ignoredDatagrams).toBe(2);
    expect(call.directions).toEqual([expect.objectContaining({ packets: 50, lost: 0, skipped: 4 })]);
    expect(call.samples.subarray(20 * 160, 23 * 160).every((s) => s === 0)).toBe(true);
    expect(call.durationSeconds).toBe(1);
  });

  it("has nothing to mix without packets", () => {
    expect(mixCall([])).toMatchObject({ startedAtMs: null, durationSeconds: 0, directions: [] });
    expect(mixCall([], { answeredAtMs: T0, hungUpAtMs: T0 + 2000 }).samples).toEqual(new Int16Array(16_000));
  });
});
