/**
 * The relay's pcap files of one call → the WAV a person plays: two directions with different tones and
 * codecs, through what real networks and senders do (loss, reordering, duplicates, jitter, a pause, an SSRC
 * change, RTCP and telephone events), read back from disk as a player would.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import {
  LINK_TYPE,
  mixPcapFiles,
  PcapFormatError,
  readPcapFile,
  wavFile,
  wavParts,
  type MixWindow,
} from "../../recording/audio/index.ts";
import { pcapFile, type CapturedDatagram, type PcapWriterOptions } from "./pcap-writer.ts";
import { PCMA, PCMU, rtcpReceiverReport, rtpPacket, telephoneEventPayload, toneStream } from "./rtp-stream.ts";
import { hasTone, toneSpans } from "./tones.ts";
import { readWav, type Wav } from "./wav-reader.ts";

const T0 = Date.UTC(2026, 2, 9, 14, 30, 0) + 0.417; // a capture clock not on a millisecond boundary
const caller = { address: "192.0.2.10", port: 4000 };
const callee = { address: "192.0.2.20", port: 5000 };
const relayForCaller = { address: "192.0.2.1", port: 30000 };
const relayForCallee = { address: "192.0.2.1", port: 30002 };
const CALLER_HZ = 440;
const CALLEE_HZ = 1000;

/** The caller speaks 0–1.2 s and 1.8–3.0 s (a pause with no packets), PCMU; a DTMF digit at 2.6–2.66 s. */
function callerPackets(): CapturedDatagram[] {
  const common = {
    source: caller,
    destination: relayForCaller,
    payloadType: PCMU,
    frequency: CALLER_HZ,
    ssrc: 0xc0ffee,
  } as const;
  const beforePause = toneStream({
    ...common,
    startMs: T0,
    durationMs: 1200,
    firstSequenceNumber: 1000,
    firstTimestamp: 50_000,
  });
  // RFC 3550: the timestamp goes on through a pause; the sequence number does not.
  const afterPause = toneStream({
    ...common,
    startMs: T0 + 1800,
    durationMs: 1200,
    firstSequenceNumber: 1060,
    firstTimestamp: 50_000 + 90 * 160,
  });
  const digit = afterPause.slice(40, 43).map((p, i) => ({
    ...p,
    payload: rtpPacket({
      payloadType: 101,
      sequenceNumber: 1100 + i,
      timestamp: 50_000 + 130 * 160,
      ssrc: 0xc0ffee,
      marker: i === 0,
      payload: telephoneEventPayload(1, (i + 1) * 160, i === 2),
    }),
  }));
  const packets = [...beforePause, ...afterPause.slice(0, 40), ...digit, ...afterPause.slice(43)];
  const lost = new Set([10, 90]);
  const sent = packets.filter((_, i) => !lost.has(i));
  sent[30] = { ...sent[30]!, capturedAtMs: sent[31]!.capturedAtMs + 5 }; // overtaken by the next packet
  sent.push({ ...sent[40]!, capturedAtMs: sent[40]!.capturedAtMs + 3 }); // a duplicate
  return sent;
}

/** The callee answers from 0.4 s to 2.6 s, PCMA, with jitter; its phone changes SSRC at 1.4 s. */
function calleePackets(): CapturedDatagram[] {
  const common = { source: callee, destination: relayForCallee, payloadType: PCMA, frequency: CALLEE_HZ } as const;
  const first = toneStream({
    ...common,
    ssrc: 0x2222,
    startMs: T0 + 400,
    durationMs: 1000,
    firstSequenceNumber: 30_000,
    firstTimestamp: 9_000_000,
  });
  const second = toneStream({
    ...common,
    ssrc: 0x3333,
    startMs: T0 + 1400,
    durationMs: 1200,
    firstSequenceNumber: 9,
    firstTimestamp: 777,
  });
  const jittered = (p: CapturedDatagram, i: number): CapturedDatagram => ({
    ...p,
    capturedAtMs: p.capturedAtMs + (i === 0 ? 0 : (i * 7) % 11),
  });
  return [...first.map(jittered), ...second.map(jittered)];
}

function rtcp(): CapturedDatagram[] {
  const from = (e: { address: string; port: number }) => ({ ...e, port: e.port + 1 });
  return [
    {
      capturedAtMs: T0 + 1000.5,
      source: from(caller),
      destination: from(relayForCaller),
      payload: rtcpReceiverReport(0xc0ffee),
    },
    {
      capturedAtMs: T0 + 1500.5,
      source: from(callee),
      destination: from(relayForCallee),
      payload: rtcpReceiverReport(0x2222),
    },
  ];
}

const folder = mkdtempSync(join(tmpdir(), "pbx-audio-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** The call as the relay writes it: in capture order, split over two files at 1.5 s. */
function writeCall(name: string, options: PcapWriterOptions = {}): string[] {
  const all = [...callerPackets(), ...calleePackets(), ...rtcp()].sort((a, b) => a.capturedAtMs - b.capturedAtMs);
  const split = all.findIndex((p) => p.capturedAtMs >= T0 + 1500);
  return [all.slice(0, split), all.slice(split)].map((part, i) => {
    const path = join(folder, `${name}-${i}.pcap`);
    writeFileSync(path, pcapFile(part, options));
    return path;
  });
}

async function recordedWav(
  paths: string[],
  window?: MixWindow,
): Promise<Wav & { call: Awaited<ReturnType<typeof mixPcapFiles>> }> {
  const call = await mixPcapFiles(paths, window);
  const path = join(folder, `${Math.random().toString(36).slice(2)}.wav`);
  writeFileSync(path, wavFile(call.samples, call.sampleRate));
  return { ...readWav(await readFile(path)), call };
}

function within(spans: [number, number][], allowed: [number, number][], slack = 0.05): boolean {
  return spans.every(([from, to]) => allowed.some(([a, b]) => from >= a - slack && to <= b + slack));
}

describe("a call's audio from the relay's pcap files", () => {
  it("decodes to a WAV of the call's duration with each side's tone only where it was sent", async () => {
    const wav = await recordedWav(writeCall("raw"));
    expect(wav).toMatchObject({ sampleRate: 8000, channels: 1, bitsPerSample: 16 });
    expect(wav.durationSeconds).toBeCloseTo(3, 1);
    expect(Math.abs(wav.durationSeconds - 3)).toBeLessThanOrEqual(0.02);
    expect(wav.call.startedAtMs).toBe(T0);
    expect(wav.call.durationSeconds).toBe(wav.durationSeconds);

    const s = wav.samples;
    for (const [from, to] of [
      [0.05, 1.15],
      [1.85, 2.55],
      [2.7, 2.95],
    ] as const)
      expect(hasTone(s, CALLER_HZ, from, to)).toBe(true);
    expect(hasTone(s, CALLER_HZ, 1.25, 1.75)).toBe(false); // the pause
    expect(
      within(toneSpans(s, CALLER_HZ), [
        [0, 1.2],
        [1.8, 2.6],
        [2.66, 3],
      ]),
    ).toBe(true);
    for (const [from, to] of [
      [0.45, 1.35],
      [1.45, 2.55],
    ] as const)
      expect(hasTone(s, CALLEE_HZ, from, to)).toBe(true);
    expect(hasTone(s, CALLEE_HZ, 0, 0.35)).toBe(false);
    expect(hasTone(s, CALLEE_HZ, 2.65, 3)).toBe(false);
    expect(within(toneSpans(s, CALLEE_HZ), [[0.4, 2.6]])).toBe(true);

    expect(wav.call.directions).toEqual([
      {
        source: caller,
        destination: relayForCaller,
        ssrcs: [0xc0ffee],
        packets: 118,
        lost: 2,
        duplicates: 1,
        skipped: 3,
      },
      {
        source: callee,
        destination: relayForCallee,
        ssrcs: [0x2222, 0x3333],
        packets: 110,
        lost: 0,
        duplicates: 0,
        skipped: 0,
      },
    ]);
    expect(wav.call.ignoredDatagrams).toBe(2);
  });

  it("records from the answer to the hang-up when they are given", async () => {
    const wav = await recordedWav(writeCall("window"), { answeredAtMs: T0 + 500, hungUpAtMs: T0 + 2500 });
    expect(wav.durationSeconds).toBe(2);
    expect(wav.call.startedAtMs).toBe(T0 + 500);
    expect(hasTone(wav.samples, CALLER_HZ, 0.05, 0.65)).toBe(true); // 0.55–1.15 s of the call
    expect(hasTone(wav.samples, CALLER_HZ, 0.75, 1.25)).toBe(false); // the pause, 1.25–1.75 s
    expect(hasTone(wav.samples, CALLEE_HZ, 1.5, 1.95)).toBe(true);
  });

  it("reads nanosecond, big-endian and Ethernet captures to the same audio", async () => {
    const reference = (await mixPcapFiles(writeCall("reference"))).samples;
    for (const [name, options] of [
      ["nanoseconds", { nanosecondTimestamps: true }],
      ["big-endian-nanoseconds", { nanosecondTimestamps: true, littleEndian: false }],
      ["ethernet", { linkType: LINK_TYPE.ethernet }],
    ] as const) {
      expect((await mixPcapFiles(writeCall(name, options))).samples, name).toEqual(reference);
    }
  });

  it("cuts the recording into WAV parts under a size cap that play back as the whole", async () => {
    const { call } = await recordedWav(writeCall("parts"));
    const cap = 16_000;
    const parts = wavParts(call.samples, call.sampleRate, cap);
    expect(parts.length).toBe(Math.ceil(call.samples.length / ((cap - 44) / 2)));
    expect(parts.every((p) => p.length <= cap)).toBe(true);
    expect(parts.flatMap((p) => [...readWav(p).samples])).toEqual([...call.samples]);
  });

  // Written by rtpengine 10.5 (Debian 12) itself with --recording-method=pcap and --recording-format=raw
  // (its default) or eth: a caller sending 440 Hz PCMU for 1 s, the callee 1000 Hz PCMU from 0.2 s to 0.8 s.
  for (const [format, linkType] of [
    ["raw", LINK_TYPE.raw],
    ["eth", LINK_TYPE.ethernet],
  ] as const) {
    it(`reads what rtpengine's pcap recording writes in its ${format} format`, async () => {
      const path = fileURLToPath(new URL(`fixtures/rtpengine-pcap-${format}.pcap`, import.meta.url));
      expect((await readPcapFile(path)).linkType).toBe(linkType);
      const call = await mixPcapFiles([path]);
      expect(call.durationSeconds).toBeCloseTo(1, 2);
      expect(call.directions.map((d) => ({ packets: d.packets, lost: d.lost, relay: d.destination.address }))).toEqual([
        { packets: 50, lost: 0, relay: "127.0.0.1" },
        { packets: 30, lost: 0, relay: "127.0.0.1" },
      ]);
      expect(toneSpans(call.samples, CALLER_HZ)).toEqual([[0, 1]]);
      expect(toneSpans(call.samples, CALLEE_HZ)).toEqual([[0.2, 0.8]]);
    });
  }

  it("refuses a capture of another link type naming the file and the link type", async () => {
    const path = join(folder, "cooked.pcap");
    writeFileSync(path, pcapFile(callerPackets(), { linkType: 113 }));
    const refusal = mixPcapFiles([writeCall("fine")[0]!, path]);
    await expect(refusal).rejects.toThrow(PcapFormatError);
    await expect(refusal).rejects.toThrow(`${path}: link type 113 is not supported`);
  });
});
