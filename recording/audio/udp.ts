/**
 * A captured frame → its UDP datagram: the link layer (raw IP, IPv4, IPv6 or Ethernet with optional VLAN
 * tags), then IPv4 or IPv6, then UDP. Anything else (ARP, TCP, ICMP, IP fragments) is not a datagram here.
 */
import { LINK_TYPE, type LinkType } from "./pcap.ts";

export type Endpoint = { address: string; port: number };

export type UdpDatagram = {
  capturedAtMs: number;
  source: Endpoint;
  destination: Endpoint;
  payload: Uint8Array;
};

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPES_VLAN: ReadonlySet<number> = new Set([0x8100, 0x88a8, 0x9100]);
const IP_PROTOCOL_UDP = 17;
/** IPv6 extension headers that may stand between the fixed header and UDP (a fragment header does not). */
const IPV6_SKIPPABLE_HEADERS: ReadonlySet<number> = new Set([0, 43, 60]);
const UDP_HEADER_BYTES = 8;

/** The UDP datagram in a frame of `linkType`, or null when the frame holds none. */
export function udpDatagram(linkType: LinkType, capturedAtMs: number, frame: Uint8Array): UdpDatagram | null {
  const ip = ipPacket(linkType, frame);
  if (!ip) return null;
  const version = ip[0]! >> 4;
  const parsed = version === 4 ? ipv4Udp(ip) : version === 6 ? ipv6Udp(ip) : null;
  if (!parsed) return null;
  const { sourceAddress, destinationAddress, udp } = parsed;
  if (udp.byteLength < UDP_HEADER_BYTES) return null;
  const view = new DataView(udp.buffer, udp.byteOffset, udp.byteLength);
  const udpLength = view.getUint16(4);
  // A length of 0 is a jumbogram's; otherwise trust it only when it fits what was captured.
  const end = udpLength >= UDP_HEADER_BYTES && udpLength <= udp.byteLength ? udpLength : udp.byteLength;
  return {
    capturedAtMs,
    source: { address: sourceAddress, port: view.getUint16(0) },
    destination: { address: destinationAddress, port: view.getUint16(2) },
    payload: udp.subarray(UDP_HEADER_BYTES, end),
  };
}

export function endpointKey(e: Endpoint): string {
  return e.address.includes(":") ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

function ipPacket(linkType: LinkType, frame: Uint8Array): Uint8Array | null {
  if (frame.byteLength === 0) return null;
  switch (linkType) {
    case LINK_TYPE.raw:
    case LINK_TYPE.ipv4:
    case LINK_TYPE.ipv6:
      return frame;
    case LINK_TYPE.ethernet: {
      let offset = 12;
      while (offset + 2 <= frame.byteLength) {
        const etherType = (frame[offset]! << 8) | frame[offset + 1]!;
        if (etherType === ETHERTYPE_IPV4 || etherType === ETHERTYPE_IPV6) return frame.subarray(offset + 2);
        if (!ETHERTYPES_VLAN.has(etherType)) return null;
        offset += 4;
      }
      return null;
    }
  }
}

function ipv4Udp(ip: Uint8Array): { sourceAddress: string; destinationAddress: string; udp: Uint8Array } | null {
  if (ip.byteLength < 20) return null;
  const headerBytes = (ip[0]! & 0x0f) * 4;
  const totalLength = (ip[2]! << 8) | ip[3]!;
  const fragment = ((ip[6]! << 8) | ip[7]!) & 0x3fff; // "more fragments" flag and fragment offset
  if (headerBytes < 20 || ip[9] !== IP_PROTOCOL_UDP || fragment !== 0) return null;
  const end = totalLength >= headerBytes && totalLength <= ip.byteLength ? totalLength : ip.byteLength;
  return {
    sourceAddress: ip.subarray(12, 16).join("."),
    destinationAddress: ip.subarray(16, 20).join("."),
    udp: ip.subarray(headerBytes, end),
  };
}

function ipv6Udp(ip: Uint8Array): { sourceAddress: string; destinationAddress: string; udp: Uint8Array } | null {
  if (ip.byteLength < 40) return null;
  const payloadLength = (ip[4]! << 8) | ip[5]!;
  const end = payloadLength > 0 && 40 + payloadLength <= ip.byteLength ? 40 + payloadLength : ip.byteLength;
  let nextHeader = ip[6]!;
  let offset = 40;
  while (IPV6_SKIPPABLE_HEADERS.has(nextHeader)) {
    if (offset + 2 > end) return null;
    nextHeader = ip[offset]!;
    offset += (ip[offset + 1]! + 1) * 8;
  }
  if (nextHeader !== IP_PROTOCOL_UDP || offset > end) return null;
  return {
    sourceAddress: ipv6Text(ip.subarray(8, 24)),
    destinationAddress: ipv6Text(ip.subarray(24, 40)),
    udp: ip.subarray(offset, end),
  };
}

/** RFC 5952 text: lowercase hex groups, the longest run of two or more zero groups as "::". */
export function ipv6Text(address: Uint8Array): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((address[i]! << 8) | address[i + 1]!);
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hex = (part: number[]): string => part.map((g) => g.toString(16)).join(":");
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}
