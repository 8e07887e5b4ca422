/**
 * Test support: RTP packets of a known signal, as a handset sends them — G.711 encoders (from the G.711
 * definition), a sine tone, and RTP packets with optional CSRCs, extension header and padding.
 */
import type { CapturedDatagram } from "./pcap-writer.ts";

export const PCMU = 0;
export const PCMA = 8;

export type RtpFields = {
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  marker?: boolean;
  payload: Uint8Array;
  csrcs?: number[];
  /** Extension words (32-bit each) after a 4-byte extension header. */
  extensionWords?: number;
  paddingBytes?: number;
};

export function rtpPacket(f: RtpFields): Buffer {
  const csrcs = f.csrcs ?? [];
  const extension = f.extensionWords === undefined ? null : Buffer.alloc(4 + f.extensionWords * 4);
  if (extension) {
    extension.writeUInt16BE(0xbede, 0);
    extension.writeUInt16BE(f.extensionWords!, 2);
    extension.fill(0xaa, 4);
  }
  const padding = f.paddingBytes ? Buffer.alloc(f.paddingBytes, 0) : null;
  if (padding) padding[padding.length - 1] = padding.length;
  const header = Buffer.alloc(12 + csrcs.length * 4);
  header[0] = 0x80 | (padding ? 0x20 : 0) | (extension ? 0x10 : 0) | csrcs.length;
  header[1] = (f.marker ? 0x80 : 0) | f.payloadType;
  header.writeUInt16BE(f.sequenceNumber & 0xffff, 2);
  header.writeUInt32BE(f.timestamp >>> 0, 4);
  header.writeUInt32BE(f.ssrc >>> 0, 8);
  csrcs.forEach((c, i) => header.writeUInt32BE(c >>> 0, 12 + i * 4));
  return Buffer.concat([
    header,
    ...(extension ? [extension] : []),
    Buffer.from(f.payload),
    ...(padding ? [padding] : []),
  ]);
}

/** A minimal RTCP receiver report (packet type 201). */
export function rtcpReceiverReport(ssrc: number): Buffer {
  const packet = Buffer.alloc(8);
  packet[0] = 0x80;
  packet[1] = 201;
  packet.writeUInt16BE(1, 2);
  packet.writeUInt32BE(ssrc >>> 0, 4);
  return packet;
}

/** An RFC 4733 telephone-event payload (a DTMF digit). */
export function telephoneEventPayload(event: number, durationSamples: number, end: boolean): Buffer {
  const payload = Buffer.alloc(4);
  payload[0] = event;
  payload[1] = (end ? 0x80 : 0) | 10;
  payload.writeUInt16BE(durationSamples, 2);
  return payload;
}

/** `count` samples of a sine tone from sample `first` (so consecutive packets join without a click). */
export function toneSamples(
  frequency: number,
  first: number,
  count: number,
  sampleRate = 8000,
  amplitude = 8000,
): Int16Array {
  return Int16Array.from({ length: count }, (_, i) =>
    Math.round(amplitude * Math.sin((2 * Math.PI * frequency * (first + i)) / sampleRate)),
  );
}

export function encodeG711(payloadType: number, samples: Int16Array): Uint8Array {
  const encode = payloadType === PCMU ? encodeMuLaw : payloadType === PCMA ? encodeALaw : null;
  if (!encode) throw new Error(`payload type ${payloadType} is not G.711`);
  return Uint8Array.from(samples, encode);
}

/** µ-law: bias 132, clip, segment = position of the highest set bit above bit 7, four mantissa bits, inverted. */
export function encodeMuLaw(sample: number): number {
  const sign = sample < 0 ? 0x80 : 0;
  const magnitude = Math.min(Math.abs(sample), 32635) + 0x84;
  const segment = Math.floor(Math.log2(magnitude)) - 7;
  const mantissa = (magnitude >> (segment + 3)) & 0x0f;
  return ~(sign | (segment << 4) | mantissa) & 0xff;
}

/** A-law: segment 0 linear below 256, then segment = highest set bit − 7, four mantissa bits, xor 0x55. */
export function encodeALaw(sample: number): number {
  const sign = sample >= 0 ? 0x80 : 0;
  const magnitude = Math.min(Math.abs(sample), 32767);
  const segment = magnitude < 256 ? 0 : Math.floor(Math.log2(magnitude)) - 7;
  const mantissa = (magnitude >> (segment === 0 ? 4 : segment + 3)) & 0x0f;
  return (sign | (segment << 4) | mantissa) ^ 0x55;
}

export type ToneStreamOptions = {
  source: { address: string; port: number };
  destination: { address: string; port: number };
  payloadType: typeof PCMU | typeof PCMA;
  frequency: number;
  ssrc: number;
  /** Capture time of the first packet. */
  startMs: number;
  durationMs: number;
  packetMs?: number;
  firstSequenceNumber?: number;
  firstTimestamp?: number;
  amplitude?: number;
};

/** A sender's packets of a tone, one every `packetMs` (default 20 ms), captured on time. */
export function toneStream(o: ToneStreamOptions): CapturedDatagram[] {
  const { packetMs = 20, firstSequenceNumber = 1000, firstTimestamp = 50_000, amplitude = 8000 } = o;
  const samplesPerPacket = packetMs * 8;
  const count = Math.round(o.durationMs / packetMs);
  return Array.from({ length: count }, (_, i) => ({
    capturedAtMs: o.startMs + i * packetMs,
    source: o.source,
    destination: o.destination,
    payload: rtpPacket({
      payloadType: o.payloadType,
      sequenceNumber: firstSequenceNumber + i,
      timestamp: firstTimestamp + i * samplesPerPacket,
      ssrc: o.ssrc,
      marker: i === 0,
      payload: encodeG711(
        o.payloadType,
        toneSamples(o.frequency, i * samplesPerPacket, samplesPerPacket, 8000, amplitude),
      ),
    }),
  }));
}
