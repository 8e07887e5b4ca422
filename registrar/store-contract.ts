/**
 * What every registrar store does, and the snapshot checks its two implementations share. Kept apart from
 * `openRegistrarStore` (store.ts), which loads an implementation: the implementations import this module,
 * never the loader, so no module imports one that imports it back.
 */
import { RevisionSnapshot } from "../schemas/revision-snapshot.ts";
import { InvalidSnapshotError } from "./errors.ts";

/** Where a registrar's tables live. Kamailio reads the same database. */
export type RegistrarDatabase = { kind: "sqlite"; path: string } | { kind: "postgres"; url: string };

/**
 * A call that should have been recorded but could not be anchored (the relay was down or refused the
 * offer), as Kamailio wrote it into `pbx_recording_event`.
 */
export interface RecordingEvent {
  id: number;
  callId: string;
  /** The call's recording metadata string, as the relay would have been given it (registrar/README.md). */
  metadata: string;
  /** Why it was not recorded, e.g. `relay-unavailable`. */
  reason: string;
  /** When Kamailio wrote it: ISO-8601, UTC. */
  createdAt: string;
}

/**
 * A recorded call in progress, as Kamailio wrote it into `pbx_recording_call` at the answer: the relay keeps a
 * call's metadata in memory until the call ends, so this row is what names the call's user and address when the
 * relay dies mid-call and the recording is lost.
 */
export interface RecordingCall {
  callId: string;
  /** The call's recording metadata string, as given to the relay. */
  metadata: string;
  /** When Kamailio wrote it (the answer): ISO-8601, UTC. */
  createdAt: string;
}

/** Why a recorded user's call went unrecorded, as Kamailio writes it: the relay did not take the offer. */
export const RECORDING_RELAY_UNAVAILABLE = "relay-unavailable";

/** What one `write` did. */
export interface WriteResult {
  /** false when the registrar already holds this revision or a later one: nothing was changed. */
  written: boolean;
  /** The revision the registrar holds after the call. */
  revision: number;
  /** Devices removed or given a new HA1 by this write, whose registrations are now pending drop. */
  revoked: string[];
}

/**
 * Writes a revision snapshot into the registrar's tables in one transaction and keeps the list of devices
 * whose live registrations must be dropped until Kamailio has dropped them. Two implementations with one
 * behaviour: SQLite (one registrar beside one backend) and PostgreSQL (shared deployments: several backend
 * processes feed one registrar).
 */
export interface RegistrarStore {
  /**
   * Replaces the registrar's tables with the snapshot, atomically. Snapshots at or below the stored
   * revision are ignored (a replayed or out-of-order delivery never rolls the registrar back); concurrent
   * writers are serialised. Throws `InvalidSnapshotError` and changes nothing when the snapshot is malformed.
   */
  write(snapshot: RevisionSnapshot): Promise<WriteResult>;
  /** The revision the tables hold, or null before the first write. */
  revision(): Promise<number | null>;
  /** SIP usernames whose live registrations still have to be dropped. */
  pendingDrops(): Promise<string[]>;
  /** Forgets pending drops once Kamailio has dropped those registrations (or restarted without them). */
  clearPendingDrops(usernames?: readonly string[]): Promise<void>;
  /** The oldest `limit` calls that went unrecorded, oldest first (Kamailio writes them; see `RecordingEvent`). */
  recordingEvents(limit: number): Promise<RecordingEvent[]>;
  /** Forgets events once they have been dealt with (read, mailed, then deleted: at least once). */
  deleteRecordingEvents(ids: readonly number[]): Promise<void>;
  /** The recorded calls with these Call-IDs that Kamailio saw answered (see `RecordingCall`). */
  recordingCalls(callIds: readonly string[]): Promise<RecordingCall[]>;
  /** Forgets them once their recording was mailed or its loss was. */
  deleteRecordingCalls(callIds: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/** Validates the snapshot; throws `InvalidSnapshotError` listing every problem. */
export function parseSnapshot(input: RevisionSnapshot): RevisionSnapshot {
  const parsed = RevisionSnapshot.safeParse(input);
  if (!parsed.success) throw new InvalidSnapshotError(parsed.error.issues);
  return parsed.data;
}

/** Devices whose credentials the new snapshot removes or changes. */
export function revokedBy(previous: ReadonlyMap<string, string>, snapshot: RevisionSnapshot): string[] {
  const next = new Map(snapshot.devices.map((d) => [d.sipUsername, d.ha1] as const));
  return [...previous]
    .filter(([username, ha1]) => next.get(username) !== ha1)
    .map(([username]) => username)
    .sort();
}
