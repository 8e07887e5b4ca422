// Calls that should have been recorded and were not → a "call not recorded" mail to the address the call carried,
// with the reason in words. The rows come from the registrar's `pbx_recording_event` table (Kamailio inserts one
// when it could not anchor a recorded call: relay down or refusing the offer), read through the registrar's
// store; the worker reads, mails, then deletes them (at least once), and each mail's source key (the event's
// identity) keeps a row read again after a crash between the mail's commit and the delete from being mailed twice.
import { createHash } from "node:crypto";
import type { RegistrarStore } from "../../registrar/index.ts";
import { CallMetadataError, parseCallMetadata, type CallMetadata } from "../../recording/call-metadata.ts";
import { auditInsert, systemActor } from "../audit/store.ts";
import type { Clock } from "../clock.ts";
import { enqueueMail, hasMailFor } from "../mail/enqueue.ts";
import type { Db } from "../store/schema.ts";
import { notRecordedSubject, notRecordedText } from "./mail-text.ts";
import { callAccount } from "./parties.ts";

/** One `pbx_recording_event` row as the registrar's store gives it. */
export interface RecordingEvent {
  id: number;
  callId: string;
  /** The call's recording metadata line (recording/call-metadata.ts). */
  metadata: string;
  /** A code, e.g. `relay-unavailable`. */
  reason: string;
  createdAt: Date;
}

/** The part of the registrar's store (`RegistrarStore`) the worker reads events through. */
export interface RecordingEventSource {
  recordingEvents(limit: number): Promise<RecordingEvent[]>;
  deleteRecordingEvents(ids: readonly number[]): Promise<void>;
}

/** The registrar store's events (registrar/store-contract.ts) as this module reads them. */
export function recordingEventSource(
  store: Pick<RegistrarStore, "recordingEvents" | "deleteRecordingEvents">,
): RecordingEventSource {
  return {
    recordingEvents: async (limit) =>
      (await store.recordingEvents(limit)).map((e) => ({ ...e, createdAt: new Date(e.createdAt) })),
    deleteRecordingEvents: (ids) => store.deleteRecordingEvents(ids),
  };
}

export interface NotRecordedOptions {
  db: Db;
  clock: Clock;
  fallbackAccountId: () => string | null;
}

export type EventOutcome =
  | { kind: "enqueued"; mailId: string; accountId: string }
  | { kind: "already-enqueued" }
  | { kind: "unreadable"; why: string };

/** The event's identity: its id alone could repeat in a registrar database made anew. */
export function eventSourceKey(e: RecordingEvent): string {
  const identity = `${e.id}\n${e.callId}\n${e.createdAt.toISOString()}`;
  return `not-recorded:${createHash("sha256").update(identity).digest("hex").slice(0, 32)}`;
}

/** Enqueues the event's mail (with its audit row) unless it was enqueued before. */
export async function mailNotRecorded(event: RecordingEvent, o: NotRecordedOptions): Promise<EventOutcome> {
  const sourceKey = eventSourceKey(event);
  if (await hasMailFor(o.db, sourceKey)) return { kind: "already-enqueued" };
  let call: CallMetadata;
  try {
    call = parseCallMetadata(event.metadata);
  } catch (e) {
    if (e instanceof CallMetadataError) return { kind: "unreadable", why: e.message };
    throw e;
  }
  return enqueueNotRecorded(o, call, event.reason, event.createdAt, sourceKey, { eventId: event.id });
}

/** A "not recorded" mail for `call` with `reason` (a code), in one transaction with its audit row. */
export async function enqueueNotRecorded(
  o: NotRecordedOptions,
  call: CallMetadata,
  reason: string,
  startedAt: Date,
  sourceKey: string,
  detail: Record<string, unknown>,
): Promise<EventOutcome> {
  const account = await callAccount(o.db, call, o.fallbackAccountId());
  if (account === null) return { kind: "unreadable", why: "the caller's user and account are unknown" };
  const mailId = await o.db.transaction().execute(async (tx) => {
    const id = await enqueueMail(tx, {
      accountId: account.accountId,
      to: call.email,
      subject: notRecordedSubject(call.subject),
      text: notRecordedText({ ...account, startedAt }, reason),
      sourceKey,
    });
    await auditInsert(
      tx,
      systemActor(account.accountId, sourceKey.replace(":", ".")),
      o.clock.now(),
      "recording.not-recorded",
      "mail",
      id,
      { userId: call.userId, reason: reason.slice(0, 60), ...detail },
    ).execute();
    return id;
  });
  return { kind: "enqueued", mailId, accountId: account.accountId };
}
