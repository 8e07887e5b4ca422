// One finished call → its mail(s). In this order, so that a crash at any step loses nothing and mails at most once:
//   1. read the relay's metadata file and the call's metadata line (to, subject, who; decided at call start);
//   2. already enqueued (its source key is on a mail row: a crash came after step 4's commit)? go to 5;
//   3. mix the pcaps within the answer/hang-up window, write the WAV part(s) 0600 (overwritten if a crash came
//      between this step and the next);
//   4. one transaction: a mail per part (source key `recording:<call>:<part>`) and an audit row per mail;
//   5. remove the relay's pcaps, then its metadata file (what marks the call as pending).
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  CallMetadataError,
  parseCallMetadata,
  parseRelayMetadata,
  RelayMetadataError,
  type CallMetadata,
} from "../../recording/call-metadata.ts";
import {
  mixPcapFiles,
  PcapFormatError,
  WAV_HEADER_BYTES,
  wavParts,
  type MixedCall,
} from "../../recording/audio/index.ts";
import { auditInsert, systemActor } from "../audit/store.ts";
import type { Clock } from "../clock.ts";
import { enqueueMail, hasMailFor } from "../mail/enqueue.ts";
import type { Db } from "../store/schema.ts";
import { pcapPath, removeRelayFiles, writePrivateFile, type FinishedCall, type RecordingFolders } from "./folders.ts";
import { recordingSubject, recordingText, type RecordedPart } from "./mail-text.ts";
import { callAccount } from "./parties.ts";

/**
 * The largest attachment one mail carries: 20 MB, about 20 minutes 50 seconds of 8 kHz 16-bit mono WAV (many
 * relays refuse messages above 25 MB, and base64 adds a third). A longer recording is split into consecutive
 * WAV parts of at most this size, one mail each.
 */
export const DEFAULT_MAX_ATTACHMENT_BYTES = 20_000_000;

export interface CallMailOptions {
  db: Db;
  clock: Clock;
  folders: RecordingFolders;
  maxAttachmentBytes: number;
  /** Keep WAV files after delivery (a retention period is configured). */
  keepFiles: boolean;
  /** The account to file a mail under when the caller's user is gone (the one the registrar serves). */
  fallbackAccountId: () => string | null;
}

export type CallMailOutcome =
  | { kind: "enqueued"; mailIds: string[]; accountId: string }
  | { kind: "already-enqueued" }
  /** Nothing can be mailed: the files are set aside for an operator. `call` is set when the address is known. */
  | { kind: "unreadable"; why: string; call: CallMetadata | null };

/** The call's key: its relay name hashed (a Call-ID can be long and is no business of a mail row). */
export function callKey(call: Pick<FinishedCall, "name">): string {
  return createHash("sha256").update(call.name).digest("hex").slice(0, 32);
}

export const recordingSourceKey = (call: FinishedCall, part: number): string => `recording:${callKey(call)}:${part}`;

export async function mailFinishedCall(call: FinishedCall, o: CallMailOptions): Promise<CallMailOutcome> {
  let relayText: string;
  try {
    relayText = await readFile(call.metadataPath, "utf8");
  } catch (e) {
    if ((e as { code?: unknown }).code === "ENOENT") return { kind: "already-enqueued" }; // removed meanwhile
    throw e;
  }
  let relay;
  let metadata: CallMetadata;
  try {
    relay = parseRelayMetadata(relayText);
    if (relay.metadata === null) throw new CallMetadataError("the call carried no recording metadata");
    metadata = parseCallMetadata(relay.metadata);
  } catch (e) {
    if (e instanceof RelayMetadataError || e instanceof CallMetadataError)
      return { kind: "unreadable", why: e.message, call: null };
    throw e;
  }
  const pcaps = relay.pcapPaths.map((p) => pcapPath(o.folders, p));

  if (!(await hasMailFor(o.db, recordingSourceKey(call, 1)))) {
    let mixed: MixedCall;
    try {
      mixed = await mixPcapFiles(pcaps, {
        ...(relay.answeredAtMs !== null ? { answeredAtMs: relay.answeredAtMs } : {}),
        ...(relay.terminatedAtMs !== null ? { hungUpAtMs: relay.terminatedAtMs } : {}),
      });
    } catch (e) {
      const code = (e as { code?: unknown }).code;
      if (e instanceof PcapFormatError || code === "ENOENT")
        return { kind: "unreadable", why: e instanceof Error ? e.message : String(e), call: metadata };
      throw e;
    }
    const account = await callAccount(o.db, metadata, o.fallbackAccountId());
    if (account === null)
      return { kind: "unreadable", why: "the caller's user and account are unknown", call: metadata };
    const files = wavParts(mixed.samples, mixed.sampleRate, o.maxAttachmentBytes);
    const startedAt = new Date(mixed.startedAtMs ?? relay.callStartMs ?? o.clock.now().getTime());
    const key = callKey(call);
    const written: { path: string; part: RecordedPart }[] = [];
    let fromSeconds = 0;
    for (const [i, bytes] of files.entries()) {
      const seconds = (bytes.length - WAV_HEADER_BYTES) / 2 / mixed.sampleRate;
      const part = { part: i + 1, parts: files.length, fromSeconds, toSeconds: fromSeconds + seconds };
      fromSeconds += seconds;
      const path = join(o.folders.mail, `${key}-${part.part}.wav`);
      await writePrivateFile(path, bytes);
      written.push({ path, part });
    }
    const mailIds = await o.db.transaction().execute(async (tx) => {
      const ids: string[] = [];
      for (const { path, part } of written) {
        const id = await enqueueMail(tx, {
          accountId: account.accountId,
          to: metadata.email,
          subject: recordingSubject(metadata.subject, part),
          text: recordingText({ ...account, startedAt, durationSeconds: mixed.durationSeconds }, part),
          attachment: {
            path,
            name: attachmentName(startedAt, metadata, part),
            contentType: "audio/wav",
            keep: o.keepFiles,
          },
          sourceKey: recordingSourceKey(call, part.part),
        });
        await auditInsert(
          tx,
          systemActor(account.accountId, `recording.${key}`),
          o.clock.now(),
          "recording.mail-enqueued",
          "mail",
          id,
          { userId: metadata.userId, part: part.part, parts: part.parts },
        ).execute();
        ids.push(id);
      }
      return ids;
    });
    await removeRelayFiles(pcaps, call);
    return { kind: "enqueued", mailIds, accountId: account.accountId };
  }
  await removeRelayFiles(pcaps, call);
  return { kind: "already-enqueued" };
}

/** `call-20261206-1533-201-to-71234567.wav` (UTC in the name: the body says the account's local time). */
function attachmentName(startedAt: Date, call: CallMetadata, part: RecordedPart): string {
  const stamp = startedAt.toISOString().slice(0, 16).replace(/[-:]/g, "").replace("T", "-");
  const number = call.dialled.replace(/[^0-9+*#]/g, "").slice(0, 32) || "call";
  const suffix = part.parts === 1 ? "" : `-part${part.part}of${part.parts}`;
  return `call-${stamp}-${call.extension}-to-${number}${suffix}.wav`;
}
