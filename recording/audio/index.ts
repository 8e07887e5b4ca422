/**
 * A call's audio from the relay's pcap files: read → UDP → RTP → G.711 decoded → both directions mixed on
 * one timeline → WAV. See recording/README.md.
 */
import { readFile } from "node:fs/promises";
import { pcapFrames } from "./pcap.ts";
import { mixCall, type MixedCall, type MixWindow } from "./mix.ts";
import { udpDatagram, type UdpDatagram } from "./udp.ts";

export { LINK_TYPE, PcapFormatError, parsePcap, pcapFrames, readPcapFile } from "./pcap.ts";
export type { LinkType, PcapFile, PcapFrame } from "./pcap.ts";
export { endpointKey, udpDatagram } from "./udp.ts";
export type { Endpoint, UdpDatagram } from "./udp.ts";
export { parseRtp } from "./rtp.ts";
export type { RtpPacket } from "./rtp.ts";
export { G711_SAMPLE_RATE, PAYLOAD_TYPE_PCMA, PAYLOAD_TYPE_PCMU, decodeALaw, decodeG711, decodeMuLaw } from "./g711.ts";
export { RUN_TOLERANCE_MS, mixCall } from "./mix.ts";
export type { DirectionReport, MixedCall, MixWindow } from "./mix.ts";
export { WAV_HEADER_BYTES, wavBytes, wavFile, wavParts } from "./wav.ts";

/** The UDP datagrams of one pcap file's bytes, one by one (frames that hold none are left out). */
export function* pcapDatagrams(bytes: Uint8Array, name: string): Generator<UdpDatagram> {
  const { header, frames } = pcapFrames(bytes, name);
  for (const frame of frames) {
    const datagram = udpDatagram(header.linkType, frame.capturedAtMs, frame.data);
    if (datagram) yield datagram;
  }
}

/** One call's recording from its pcap files (the relay may write several), mixed within `window`. */
export async function mixPcapFiles(paths: readonly string[], window: MixWindow = {}): Promise<MixedCall> {
  const files = await Promise.all(paths.map(async (path) => ({ path, bytes: await readFile(path) })));
  for (const { path, bytes } of files) pcapFrames(bytes, path); // refuse a bad file before mixing any
  return mixCall(
    (function* () {
      for (const { path, bytes } of files) yield* pcapDatagrams(bytes, path);
    })(),
    window,
  );
}
