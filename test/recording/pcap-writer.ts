/**
 * Test support: classic libpcap files of UDP datagrams, as a relay or a capture tool writes them — raw IP
 * (rtpengine's `pcap` recording), IPv4/IPv6-only or Ethernet link types, either byte order, microsecond or
 * nanosecond timestamps. Addresses with a ":" are IPv6. Checksums are left zero (readers do not check them).
 */
import { isIPv6 } from "node:net";

export type CapturedDatagram = {
  capturedAtMs: number;
  source: { address: string; port: number };
  destination: { address: string; port: number };
  payload: Uint8Array;
};

export type PcapWriterOptions = {
  /** The global header's link type: 101 raw IP (default), 228 IPv4, 229 IPv6, 1 Ethernet, or any other. */
  linkType?: number;
  littleEndian?: boolean;
  nanosecondTimestamps?: boolean;
};

export const LINK_TYPE_ETHERNET = 1;
export const LINK_TYPE_RAW = 101;

export function pcapFile(datagrams: readonly CapturedDatagram[], options: PcapWriterOptions = {}): Buffer {
  const { linkType = LINK_TYPE_RAW, littleEndian = true, nanosecondTimestamps = false } = options;
  const header = Buffer.alloc(24);
  const u32 = (b: Buffer, v: number, at: number): number =>
    littleEndian ? b.writeUInt32LE(v, at) : b.writeUInt32BE(v, at);
  const u16 = (b: Buffer, v: number, at: number): number =>
    littleEndian ? b.writeUInt16LE(v, at) : b.writeUInt16BE(v, at);
  u32(header, nanosecondTimestamps ? 0xa1b23c4d : 0xa1b2c3d4, 0);
  u16(header, 2, 4);
  u16(header, 4, 6);
  u32(header, 65535, 16);
  u32(header, linkType, 20);
  const chunks: Buffer[] = [header];
  for (const d of datagrams) {
    const ip = ipUdpPacket(d.source, d.destination, d.payload);
    const frame = linkType === LINK_TYPE_ETHERNET ? ethernetFrame(ip, isIPv6(d.source.address)) : ip;
    const record = Buffer.alloc(16);
    const seconds = Math.floor(d.capturedAtMs / 1000);
    const fractionUnits = nanosecondTimestamps ? 1e6 : 1e3;
    const fraction = Math.min(Math.round((d.capturedAtMs - seconds * 1000) * fractionUnits), fractionUnits * 1000 - 1);
    u32(record, seconds, 0);
    u32(record, fraction, 4);
    u32(record, frame.length, 8);
    u32(record, frame.length, 12);
    chunks.push(record, frame);
  }
  return Buffer.concat(chunks);
}

/** An IPv4 or IPv6 packet (by the addresses' family) holding one UDP datagram. */
export function ipUdpPacket(
  source: { address: string; port: number },
  destination: { address: string; port: number },
  payload: Uint8Array,
): Buffer {
  const udp = Buffer.alloc(8 + payload.length);
  udp.writeUInt16BE(source.port, 0);
  udp.writeUInt16BE(destination.port, 2);
  udp.writeUInt16BE(udp.length, 4);
  udp.set(payload, 8);
  if (isIPv6(source.address)) {
    const ip = Buffer.alloc(40);
    ip[0] = 0x60;
    ip.writeUInt16BE(udp.length, 4);
    ip[6] = 17;
    ip[7] = 64;
    ipv6Bytes(source.address).copy(ip, 8);
    ipv6Bytes(destination.address).copy(ip, 24);
    return Buffer.concat([ip, udp]);
  }
  const ip = Buffer.alloc(20);
  ip[0] = 0x45;
  ip.writeUInt16BE(20 + udp.length, 2);
  ip[8] = 64;
  ip[9] = 17;
  Buffer.from(source.address.split(".").map(Number)).copy(ip, 12);
  Buffer.from(destination.address.split(".").map(Number)).copy(ip, 16);
  return Buffer.concat([ip, udp]);
}

/** Zero MAC addresses and the IP ethertype, as rtpengine's `--recording-format=eth` writes. */
export function ethernetFrame(ip: Buffer, ipv6: boolean): Buffer {
  const header = Buffer.alloc(14);
  header.writeUInt16BE(ipv6 ? 0x86dd : 0x0800, 12);
  return Buffer.concat([header, ip]);
}

function ipv6Bytes(address: string): Buffer {
  const [head = "", tail] = address.split("::");
  const groups = (s: string): number[] => (s ? s.split(":").map((g) => parseInt(g, 16)) : []);
  const front = groups(head);
  const back = tail === undefined ? [] : groups(tail);
  const all = [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
  const bytes = Buffer.alloc(16);
  all.forEach((g, i) => bytes.writeUInt16BE(g, i * 2));
  return bytes;
}
