/**
 * One call's UDP datagrams (from one or several pcap files) → one mono 8 kHz timeline with both directions.
 *
 * A direction is a source → destination pair; its packets are grouped by SSRC (a sender may change SSRC
 * mid-call), put in sequence-number order (reordering undone, duplicates dropped), and cut into runs. Within a
 * run, packets are placed by RTP timestamp, so jitter in capture times does not shift the audio; a run is
 * anchored to the capture clock by its least-delayed packet. A new run starts with a new SSRC, restarted
 * sequence numbers (RFC 3550's dropout and misorder limits), or when the RTP timestamp and the capture time disagree by more than
 * RUN_TOLERANCE_MS (a sender whose timestamps did not follow a pause, or a clock drifting away): its packets
 * are then placed by their capture time again. Missing packets leave silence. Each direction is written on
 * its own timeline (later runs overwrite earlier ones where they overlap), then the directions are summed
 * with saturation.
 */
import { G711_SAMPLE_RATE, decodeG711Into, isG711 } from "./g711.ts";
import { parseRtp } from "./rtp.ts";
import { endpointKey, type Endpoint, type UdpDatagram } from "./udp.ts";

export type MixWindow = {
  /** The timeline starts here (the call's answer); packets before it are cut. Default: the first packet. */
  answeredAtMs?: number;
  /** The timeline ends here (the hang-up); packets after it are cut. Default: the end of the last packet. */
  hungUpAtMs?: number;
};

export type DirectionReport = {
  source: Endpoint;
  destination: Endpoint;
  /** The synchronisation sources seen, in order of first appearance. */
  ssrcs: number[];
  /** Distinct RTP packets received (duplicates not counted), decoded or not. */
  packets: number;
  /** Packets missing from the sequence numbers. */
  lost: number;
  duplicates: number;
  /** Packets of payload types other than PCMU/PCMA (comfort noise, telephone events, …): left silent. */
  skipped: number;
};

export type MixedCall = {
  sampleRate: typeof G711_SAMPLE_RATE;
  samples: Int16Array;
  /** Where the timeline starts (ms since the epoch); null when there was neither a packet nor an answer time. */
  startedAtMs: number | null;
  durationSeconds: number;
  directions: DirectionReport[];
  /** Datagrams that were not RTP (RTCP, STUN, anything else). */
  ignoredDatagrams: number;
};

/** How far RTP time and capture time may disagree within a run before the capture clock wins again. */
export const RUN_TOLERANCE_MS = 250;
/** RFC 3550 A.1: a larger jump in sequence numbers, forward or back, is a restarted sender, not loss. */
const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;
const SAMPLES_PER_MS = G711_SAMPLE_RATE / 1000;

/** What the mix keeps of a packet (flat: an hour's call holds 360,000 of them). */
type Received = {
  capturedAtMs: number;
  sequenceNumber: number;
  timestamp: number;
  payloadType: number;
  payload: Uint8Array;
  extendedSequence: number;
  extendedTimestamp: number;
};
type Placement = { index: number; payloadType: number; payload: Uint8Array };
type Direction = { source: Endpoint; destination: Endpoint; bySsrc: Map<number, Received[]> };

export function mixCall(datagrams: Iterable<UdpDatagram>, window: MixWindow = {}): MixedCall {
  const directions = new Map<string, Direction>();
  let ignoredDatagrams = 0;
  let firstCaptureMs = Infinity;
  for (const datagram of datagrams) {
    const rtp = parseRtp(datagram.payload);
    if (!rtp) {
      ignoredDatagrams++;
      continue;
    }
    firstCaptureMs = Math.min(firstCaptureMs, datagram.capturedAtMs);
    const key = `${endpointKey(datagram.source)}>${endpointKey(datagram.destination)}`;
    let direction = directions.get(key);
    if (!direction) {
      direction = { source: datagram.source, destination: datagram.destination, bySsrc: new Map() };
      directions.set(key, direction);
    }
    let stream = direction.bySsrc.get(rtp.ssrc);
    if (!stream) direction.bySsrc.set(rtp.ssrc, (stream = []));
    stream.push({
      capturedAtMs: datagram.capturedAtMs,
      sequenceNumber: rtp.sequenceNumber,
      timestamp: rtp.timestamp,
      payloadType: rtp.payloadType,
      payload: rtp.payload,
      extendedSequence: 0,
      extendedTimestamp: 0,
    });
  }

  const startedAtMs = window.answeredAtMs ?? (Number.isFinite(firstCaptureMs) ? firstCaptureMs : null);
  const reports: DirectionReport[] = [];
  const placementsByDirection: Placement[][] = [];
  let lastSample = 0;
  for (const direction of directions.values()) {
    const report: DirectionReport = {
      source: direction.source,
      destination: direction.destination,
      ssrcs: [...direction.bySsrc.keys()],
      packets: 0,
      lost: 0,
      duplicates: 0,
      skipped: 0,
    };
    const placements: Placement[] = [];
    for (const stream of direction.bySsrc.values()) {
      placeStream(stream, startedAtMs ?? 0, report, placements);
    }
    for (const p of placements) lastSample = Math.max(lastSample, p.index + p.payload.byteLength);
    reports.push(report);
    placementsByDirection.push(placements);
  }

  // Without an answer time the timeline starts at the earliest placed packet, which may lie a little before
  // the first capture when that packet was delayed more than later ones.
  let timelineStartMs = startedAtMs;
  const firstSample = Math.min(0, ...placementsByDirection.map((ps) => ps.reduce((m, p) => Math.min(m, p.index), 0)));
  if (window.answeredAtMs === undefined && timelineStartMs !== null && firstSample < 0) {
    timelineStartMs += firstSample / SAMPLES_PER_MS;
    for (const placements of placementsByDirection) for (const p of placements) p.index -= firstSample;
    lastSample -= firstSample;
  }
  const length =
    timelineStartMs !== null && window.hungUpAtMs !== undefined
      ? Math.max(0, Math.round((window.hungUpAtMs - timelineStartMs) * SAMPLES_PER_MS))
      : lastSample;
  const samples = new Int16Array(length);
  const directionSamples = new Int16Array(length);
  for (const placements of placementsByDirection) {
    directionSamples.fill(0);
    for (const p of placements) decodeG711Into(p.payloadType, p.payload, directionSamples, p.index);
    addSaturating(samples, directionSamples);
  }
  return {
    sampleRate: G711_SAMPLE_RATE,
    samples,
    startedAtMs: timelineStartMs,
    durationSeconds: length / G711_SAMPLE_RATE,
    directions: reports,
    ignoredDatagrams,
  };
}

/** One SSRC's packets → placements on the timeline starting at `startMs`; counts into `report`. */
function placeStream(stream: Received[], startMs: number, report: DirectionReport, out: Placement[]): void {
  stream.sort((a, b) => a.capturedAtMs - b.capturedAtMs);
  for (const segment of numberingSegments(stream)) placeSegment(segment, startMs, report, out);
}

/**
 * The packets (in capture order) cut where the sender restarted its sequence numbers (RFC 3550 A.1: a jump
 * forward beyond MAX_DROPOUT or back beyond MAX_MISORDER), each with its sequence number extended across the
 * 16-bit wrap.
 */
function numberingSegments(stream: Received[]): Received[][] {
  const segments: Received[][] = [];
  let segment: Received[] = [];
  let highest = 0;
  for (const r of stream) {
    const delta = int16(r.sequenceNumber - (highest & 0xffff));
    if (segment.length === 0 || delta >= MAX_DROPOUT || delta < -MAX_MISORDER) {
      if (segment.length > 0) segments.push(segment);
      segment = [];
      highest = r.sequenceNumber;
      r.extendedSequence = r.sequenceNumber;
    } else {
      r.extendedSequence = highest + delta;
      highest = Math.max(highest, r.extendedSequence);
    }
    segment.push(r);
  }
  if (segment.length > 0) segments.push(segment);
  return segments;
}

function placeSegment(segment: Received[], startMs: number, report: DirectionReport, out: Placement[]): void {
  segment.sort((a, b) => a.extendedSequence - b.extendedSequence);
  let run: Received[] = [];
  let runOffset = Infinity; // capture index − RTP timestamp of the run's least-delayed decodable packet
  const closeRun = (): void => {
    for (const r of run) {
      if (!isG711(r.payloadType)) continue;
      out.push({ index: Math.round(runOffset + r.extendedTimestamp), payloadType: r.payloadType, payload: r.payload });
    }
    run = [];
    runOffset = Infinity;
  };

  let previous: Received | undefined;
  for (const r of segment) {
    if (previous && r.extendedSequence === previous.extendedSequence) {
      report.duplicates++;
      continue;
    }
    report.packets++;
    if (previous) report.lost += r.extendedSequence - previous.extendedSequence - 1;
    r.extendedTimestamp = previous ? previous.extendedTimestamp + int32(r.timestamp - previous.timestamp) : r.timestamp;
    previous = r;
    if (!isG711(r.payloadType)) {
      report.skipped++;
      continue;
    }
    const offset = (r.capturedAtMs - startMs) * SAMPLES_PER_MS - r.extendedTimestamp;
    if (Number.isFinite(runOffset) && Math.abs(offset - runOffset) > RUN_TOLERANCE_MS * SAMPLES_PER_MS) {
      closeRun();
    }
    runOffset = Math.min(runOffset, offset);
    run.push(r);
  }
  closeRun();
}

function addSaturating(into: Int16Array, add: Int16Array): void {
  for (let i = 0; i < into.length; i++) {
    const sum = into[i]! + add[i]!;
    into[i] = sum > 32767 ? 32767 : sum < -32768 ? -32768 : sum;
  }
}

function int16(n: number): number {
  return ((n & 0xffff) << 16) >> 16;
}

function int32(n: number): number {
  return n | 0;
}
