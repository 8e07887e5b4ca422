/**
 * Classic libpcap files (not pcapng): the global header, then one record per captured frame. Both byte
 * orders, microsecond and nanosecond timestamps. A record cut short at the end (a writer killed mid-write)
 * ends the file rather than failing it: what was captured before it is still a recording.
 */
import { readFile } from "node:fs/promises";

/** Link types (the global header's "network" field) this reader understands. */
export const LINK_TYPE = {
  ethernet: 1,
  /** What rtpengine's `pcap` recording method writes by default (`--recording-format=raw`, DLT_RAW). */
  raw: 101,
  ipv4: 228,
  ipv6: 229,
} as const;

export type LinkType = (typeof LINK_TYPE)[keyof typeof LINK_TYPE];

export type PcapFrame = {
  /** Capture time, milliseconds since the Unix epoch (fractional: sub-millisecond precision kept). */
  capturedAtMs: number;
  /** The captured bytes (at most the snapshot length; `originalLength` says how long the frame was). */
  data: Uint8Array;
  originalLength: number;
};

export type PcapFile = {
  linkType: LinkType;
  nanosecondTimestamps: boolean;
  frames: PcapFrame[];
  /** The file ended inside a record (the incomplete record is left out). */
  truncated: boolean;
};

export class PcapFormatError extends Error {
  override name = "PcapFormatError";
  readonly file: string;
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.file = file;
  }
}

const GLOBAL_HEADER_BYTES = 24;
const RECORD_HEADER_BYTES = 16;
const MAGIC_MICROSECONDS = 0xa1b2c3d4;
const MAGIC_NANOSECONDS = 0xa1b23c4d;
const MAGIC_PCAPNG = 0x0a0d0d0a;
const SUPPORTED_LINK_TYPES: ReadonlySet<number> = new Set(Object.values(LINK_TYPE));

export async function readPcapFile(path: string): Promise<PcapFile> {
  return parsePcap(await readFile(path), path);
}

/** `name` is what errors call the file (its path). */
export function parsePcap(bytes: Uint8Array, name: string): PcapFile {
  const frames: PcapFrame[] = [];
  const reading = pcapFrames(bytes, name);
  for (;;) {
    const next = reading.frames.next();
    if (next.done) return { ...reading.header, frames, truncated: next.value.truncated };
    frames.push(next.value);
  }
}

/**
 * The header at once (throwing `PcapFormatError` for a file this reader refuses), the frames one by one
 * (a long call's recording need not become one object per frame at once).
 */
export function pcapFrames(
  bytes: Uint8Array,
  name: string,
): {
  header: { linkType: LinkType; nanosecondTimestamps: boolean };
  frames: Generator<PcapFrame, { truncated: boolean }>;
} {
  if (bytes.byteLength < GLOBAL_HEADER_BYTES) {
    throw new PcapFormatError(name, `too short for a pcap file (${bytes.byteLength} bytes)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { littleEndian, nanosecondTimestamps } = byteOrderAndResolution(view, name);
  const linkType = view.getUint32(20, littleEndian) & 0xffff; // the upper bits carry FCS information
  if (!SUPPORTED_LINK_TYPES.has(linkType)) {
    throw new PcapFormatError(
      name,
      `link type ${linkType} is not supported (supported: ${[...SUPPORTED_LINK_TYPES].join(", ")} — ` +
        `raw IP as rtpengine's pcap recording writes, IPv4, IPv6, Ethernet)`,
    );
  }
  const fractionPerMs = nanosecondTimestamps ? 1e6 : 1e3;
  function* frames(): Generator<PcapFrame, { truncated: boolean }> {
    let offset = GLOBAL_HEADER_BYTES;
    while (offset < bytes.byteLength) {
      const start = offset + RECORD_HEADER_BYTES;
      if (start > bytes.byteLength) return { truncated: true };
      const capturedLength = view.getUint32(offset + 8, littleEndian);
      if (start + capturedLength > bytes.byteLength) return { truncated: true };
      yield {
        capturedAtMs:
          view.getUint32(offset, littleEndian) * 1000 + view.getUint32(offset + 4, littleEndian) / fractionPerMs,
        data: bytes.subarray(start, start + capturedLength),
        originalLength: view.getUint32(offset + 12, littleEndian),
      };
      offset = start + capturedLength;
    }
    return { truncated: false };
  }
  return { header: { linkType: linkType as LinkType, nanosecondTimestamps }, frames: frames() };
}

function byteOrderAndResolution(
  view: DataView,
  name: string,
): { littleEndian: boolean; nanosecondTimestamps: boolean } {
  for (const littleEndian of [true, false]) {
    const magic = view.getUint32(0, littleEndian);
    if (magic === MAGIC_MICROSECONDS) return { littleEndian, nanosecondTimestamps: false };
    if (magic === MAGIC_NANOSECONDS) return { littleEndian, nanosecondTimestamps: true };
  }
  if (view.getUint32(0, false) === MAGIC_PCAPNG) {
    throw new PcapFormatError(name, "is a pcapng file; only classic libpcap files are supported");
  }
  throw new PcapFormatError(name, `is not a pcap file (magic 0x${view.getUint32(0, false).toString(16)})`);
}
