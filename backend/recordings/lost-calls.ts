// Recorded calls a dying relay lost: rtpengine keeps a call's metadata in memory and writes it only when the call
// ends, so a relay killed mid-call leaves an empty metadata file in `tmp/` and an unfinished pcap, and the restarted
// relay knows nothing of the call (its media stops flowing through it). Kamailio wrote the call's metadata line into
// the registrar's `pbx_recording_call` at the answer; from it the user gets a "call not recorded" mail saying why.
// Then the files go (the partial audio is not mailed: its end is unwritten and nothing says when the call was
// answered). At most once: the mail's source key is the call's; a crash before the files' removal finds it.
import { rm } from "node:fs/promises";
import type { RecordingCall } from "../../registrar/index.ts";
import { CallMetadataError, parseCallMetadata } from "../../recording/call-metadata.ts";
import type { Clock } from "../clock.ts";
import { hasMailFor } from "../mail/enqueue.ts";
import type { Db } from "../store/schema.ts";
import { callKey } from "./call-mail.ts";
import { callIdOf, type LostCall } from "./folders.ts";
import { enqueueNotRecorded } from "./not-recorded.ts";

/** Why a lost call's mail says it was not recorded (mail-text.ts puts it in words). */
export const RELAY_RESTARTED = "relay-restarted";

/** The part of the registrar's store (`RegistrarStore`) that holds recorded calls in progress. */
export interface RecordingCallSource {
  recordingCalls(callIds: readonly string[]): Promise<RecordingCall[]>;
  deleteRecordingCalls(callIds: readonly string[]): Promise<void>;
}

export interface LostCallOptions {
  db: Db;
  clock: Clock;
  calls: RecordingCallSource;
  fallbackAccountId: () => string | null;
}

export type LostCallOutcome =
  | { kind: "enqueued"; mailId: string }
  | { kind: "already-enqueued" }
  /** No mail: the registrar has no metadata for the call, or it cannot be read. The files still go. */
  | { kind: "unknown"; why: string };

export const lostSourceKey = (call: LostCall): string => `lost:${callKey(call)}`;

export async function mailLostCall(call: LostCall, o: LostCallOptions): Promise<LostCallOutcome> {
  const callId = callIdOf(call.name);
  const sourceKey = lostSourceKey(call);
  let outcome: LostCallOutcome;
  if (await hasMailFor(o.db, sourceKey)) outcome = { kind: "already-enqueued" };
  else {
    const row = callId === null ? undefined : (await o.calls.recordingCalls([callId]))[0];
    outcome =
      row === undefined ? { kind: "unknown", why: "the registrar holds no metadata for the call" } : await mail(row);
  }
  await rm(call.pcapPath, { force: true });
  await rm(call.tmpPath, { force: true });
  if (callId !== null) await o.calls.deleteRecordingCalls([callId]);
  return outcome;

  async function mail(row: RecordingCall): Promise<LostCallOutcome> {
    try {
      const metadata = parseCallMetadata(row.metadata);
      const sent = await enqueueNotRecorded(o, metadata, RELAY_RESTARTED, new Date(row.createdAt), sourceKey, {});
      if (sent.kind === "enqueued") return { kind: "enqueued", mailId: sent.mailId };
      return sent.kind === "unreadable" ? { kind: "unknown", why: sent.why } : { kind: "already-enqueued" };
    } catch (e) {
      if (e instanceof CallMetadataError) return { kind: "unknown", why: e.message };
      throw e;
    }
  }
}
