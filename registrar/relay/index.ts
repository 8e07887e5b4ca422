/**
 * The media relay beside the registrar: rtpengine started and supervised on loopback, recording the calls
 * it is told to (pcap method), and a client of its NG control protocol.
 *
 *   const relay = await startRelay({ dataDir, recordingDir });
 *   await ngRequest({ host: relay.host, port: relay.ngPort }, "ping");   // { result: "pong" }
 *
 * See registrar/README.md, "Media relay", for where recordings are written.
 */
export { startRelay } from "./supervisor.ts";
export type { RunningRelay, StartRelayOptions } from "./supervisor.ts";
export { ngRequest, pingRelay } from "./ng.ts";
export type { NgAddress, NgAnswer, NgRequestOptions } from "./ng.ts";
export { bencode, bdecode, BencodeError } from "./bencode.ts";
export type { Bencode, BencodeDict } from "./bencode.ts";
export {
  RELAY_PACKAGES,
  RelayCommandError,
  RelayNotInstalledError,
  RelayStartError,
  RelayTimeoutError,
} from "./errors.ts";
