/** A handset's side of a call driven over NG against the real relay: its RTP socket and its SDP. */
import { createSocket, type Socket } from "node:dgram";

/** A UDP socket on a free loopback port (`await using` closes it). */
export async function udpSocket(): Promise<Socket> {
  const socket = createSocket("udp4");
  await new Promise<void>((done) => socket.bind(0, "127.0.0.1", () => done()));
  return socket;
}

/** A handset's SDP offering PCMU only, receiving RTP on `port`. */
export function pcmuSdp(port: number, session: number): string {
  return [
    "v=0",
    `o=- ${session} 1 IN IP4 127.0.0.1`,
    "s=-",
    "c=IN IP4 127.0.0.1",
    "t=0 0",
    `m=audio ${port} RTP/AVP 0`,
    "a=rtpmap:0 PCMU/8000",
    "a=sendrecv",
    "",
  ].join("\r\n");
}

/** The audio port an SDP names. */
export function audioPort(sdp: unknown): number {
  const port = /^m=audio (\d+) /m.exec(String(sdp))?.[1];
  if (port === undefined) throw new Error(`no audio port in ${String(sdp)}`);
  return Number(port);
}
