/**
 * RTP packets (RFC 3550): the fixed header, CSRCs, the extension header and padding. RTCP sharing the port
 * (RFC 5761's payload-type ranges) and anything else that is not version-2 RTP is not a packet here.
 */
export type RtpPacket = {
  payloadType: number;
  marker: boolean;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  payload: Uint8Array;
};

const FIXED_HEADER_BYTES = 12;

/** The RTP packet in a UDP payload, or null when it is RTCP or not RTP. */
export function parseRtp(datagram: Uint8Array): RtpPacket | null {
  if (datagram.byteLength < FIXED_HEADER_BYTES) return null;
  const view = new DataView(datagram.buffer, datagram.byteOffset, datagram.byteLength);
  const first = datagram[0]!;
  if (first >> 6 !== 2) return null;
  const second = datagram[1]!;
  // RTCP packet types 192–223 read as marker + payload type 64–95, which RTP leaves unassigned.
  if (second >= 192 && second <= 223) return null;
  const hasPadding = (first & 0x20) !== 0;
  const hasExtension = (first & 0x10) !== 0;
  const csrcCount = first & 0x0f;
  let start = FIXED_HEADER_BYTES + csrcCount * 4;
  if (hasExtension) {
    if (start + 4 > datagram.byteLength) return null;
    start += 4 + view.getUint16(start + 2) * 4;
  }
  let end = datagram.byteLength;
  if (hasPadding) {
    const paddingBytes = datagram[end - 1]!;
    if (paddingBytes === 0) return null;
    end -= paddingBytes;
  }
  if (start > end) return null;
  return {
    payloadType: second & 0x7f,
    marker: (second & 0x80) !== 0,
    sequenceNumber: view.getUint16(2),
    timestamp: view.getUint32(4),
    ssrc: view.getUint32(8),
    payload: datagram.subarray(start, end),
  };
}
