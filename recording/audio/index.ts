/**
 * A call's audio from the relay's pcap files: read → UDP → RTP → G.711 decoded → both directions mixed on
 * one timeline → WAV. See recording/README.md.
 */
import { readPcapFile } from "./pcap.ts";
import { mixCall, type MixedCall, type MixWindow } from "./mix.ts";
import { udpDatagram, type UdpDatagram } from "./udp.ts";

export { LINK_TYPE, PcapFormatError, parsePcap, readPcapFile } from "./pcap.ts";
export type { LinkType, PcapFile, PcapFrame } from "./pcap.ts";
export { endpointKey, udpDatagram } from "./udp.ts";
export type { Endpoint, UdpDatagram } from "./udp.ts";
export { parseRtp } from "./rtp.ts";
export type { RtpPacket } from "./rtp.ts";
export { G711_SAMPLE_RATE, PAYLOAD_TYPE_PCMA, PAYLOAD_TYPE_PCMU, decodeALaw, decodeG711, decodeMuLaw } from "./g711.ts";
export { RUN_TOLERANCE_MS, mixCall } from "./mix.ts";
export type { DirectionReport, MixedCall, MixWindow } from "./mix.ts";
export { WAV_HEADER_BYTES, wavBytes, wavFile, wavParts } from "./wav.ts";

/** The UDP datagrams of one pcap file (frames that hold none are left out). */
export async function readPcapDatagrams(path: string): Promise<UdpDatagram[]> {
  const pcap = await readPcapFile(path);
  const datagrams: UdpDatagram[] = [];
  for (const frame of pcap.frames) {
    const datagram = udpDatagram(pcap.linkType, frame.capturedAtMs, frame.data);
    if (datagram) datagrams.push(datagram);
  }
  return datagrams;
}

/** One call's recording from its pcap files (the relay may write several), mixed within `window`. */
export async function mixPcapFiles(paths: readonly string[], window: MixWindow = {}): Promise<MixedCall> {
  const datagrams: UdpDatagram[] = [];
  // A loop, not push(...all): an hour's datagrams would overflow the argument stack.
  for (const path of paths) for (const datagram of await readPcapDatagrams(path)) datagrams.push(datagram);
  return mixCall(datagrams, window);
}
