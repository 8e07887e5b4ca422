/**
 * Publishing one applied revision to a registrar: write the snapshot (one transaction), then drop the
 * live registrations of devices it removed or re-keyed. Drops are recorded in the same transaction as the
 * revision, so calling this again after a crash, with the same or a later snapshot, finishes the job.
 */
import { existsSync } from "node:fs";
import { dropRegistrations } from "./control.ts";
import type { RevisionSnapshot } from "./snapshot.ts";
import { openRegistrarStore } from "./store.ts";
import type { RegistrarDatabase, RegistrarStore } from "./store.ts";

/** Where a registrar keeps its tables and its control socket (a `RunningRegistrar` is one). */
export interface RegistrarTarget {
  database: RegistrarDatabase;
  ctlSocket: string;
  realm: string;
}

export interface PublishResult {
  /** false when the registrar already held this revision or a later one. */
  written: boolean;
  /** The revision the registrar holds now. */
  revision: number;
  /** SIP usernames whose live registrations were dropped by this call. */
  dropped: string[];
}

/**
 * Idempotent and safe to repeat: a stale snapshot changes nothing but still retries drops left pending.
 * When Kamailio is not running there is nothing registered to drop; the pending drops are kept and a
 * (re)started registrar forgets them, since it starts with no registrations.
 */
export async function publishSnapshot(target: RegistrarTarget, snapshot: RevisionSnapshot): Promise<PublishResult> {
  const store = await openRegistrarStore(target.database, { realm: target.realm });
  try {
    return await publishWith(store, target.ctlSocket, snapshot);
  } finally {
    await store.close();
  }
}

/** `publishSnapshot` through a store the caller keeps open (a backend process publishing often). */
export async function publishWith(
  store: RegistrarStore,
  ctlSocket: string,
  snapshot: RevisionSnapshot,
): Promise<PublishResult> {
  const result = await store.write(snapshot);
  const pending = await store.pendingDrops();
  if (pending.length === 0 || !existsSync(ctlSocket))
    return { written: result.written, revision: result.revision, dropped: [] };
  await dropRegistrations(ctlSocket, pending);
  await store.clearPendingDrops(pending);
  return { written: result.written, revision: result.revision, dropped: pending };
}
