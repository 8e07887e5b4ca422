/**
 * The audio sipp's media scenarios play (registrar/sipp/call-media.xml, answer-media.xml read them from their
 * working folder): a tone per side, each with its own SSRC so a recording's directions can be told apart, and a
 * third tone as early media that must never be recorded.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { LINK_TYPE_ETHERNET, pcapFile } from "../recording/pcap-writer.ts";
import { PCMU, toneStream } from "../recording/rtp-stream.ts";

export const HANDSET_SSRC = { caller: 0x1111_1111, callee: 0x2222_2222, early: 0x3333_3333 };

export interface HandsetTones {
  callerHz: number;
  calleeHz: number;
  /** How long each side plays, from the answer. */
  durationMs: number;
}

/** Writes caller.pcap, callee.pcap and early.pcap (2 kHz, 0.5 s) into `dir`. */
export function writeHandsetTones(dir: string, tones: HandsetTones): void {
  const tone = (name: string, ssrc: number, frequency: number, durationMs: number): void =>
    writeFileSync(
      join(dir, name),
      pcapFile(
        toneStream({
          source: { address: "127.0.0.1", port: 40_000 },
          destination: { address: "127.0.0.1", port: 40_002 },
          payloadType: PCMU,
          frequency,
          ssrc,
          startMs: Date.now(),
          durationMs,
        }),
        { linkType: LINK_TYPE_ETHERNET },
      ),
    );
  tone("caller.pcap", HANDSET_SSRC.caller, tones.callerHz, tones.durationMs);
  tone("callee.pcap", HANDSET_SSRC.callee, tones.calleeHz, tones.durationMs);
  tone("early.pcap", HANDSET_SSRC.early, 2_000, 500);
}
