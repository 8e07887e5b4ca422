/**
 * RegistrarStore: writes a revision snapshot into the registrar's tables in one transaction and keeps
 * the list of devices whose live registrations must be dropped until Kamailio has dropped them.
 */
import type { DatabaseSync } from "node:sqlite";
import { openRegistrarDatabase } from "./database.ts";
import { InvalidSnapshotError } from "./errors.ts";
import { DESTINATIONS_BY_CALL_PLAN, RevisionSnapshot } from "./snapshot.ts";

/** What one `write` did. */
export interface WriteResult {
  /** false when the registrar already holds this revision or a later one: nothing was changed. */
  written: boolean;
  /** The revision the registrar holds after the call. */
  revision: number;
  /** Devices removed or given a new HA1 by this write, whose registrations are now pending drop. */
  revoked: string[];
}

export interface RegistrarStore {
  /**
   * Replaces the registrar's tables with the snapshot, atomically. Snapshots at or below the stored
   * revision are ignored (a replayed or out-of-order delivery never rolls the registrar back). Throws
   * `InvalidSnapshotError` and changes nothing when the snapshot is malformed.
   */
  write(snapshot: RevisionSnapshot): WriteResult;
  /** The revision the tables hold, or null before the first write. */
  revision(): number | null;
  /** SIP usernames whose live registrations still have to be dropped. */
  pendingDrops(): string[];
  /** Forgets pending drops once Kamailio has dropped those registrations. */
  clearPendingDrops(usernames: readonly string[]): void;
  close(): void;
}

/** Opens the registrar database at `dbPath` (created if missing) for writing snapshots. */
export function openRegistrarStore(dbPath: string, options: { realm: string }): RegistrarStore {
  const db = openRegistrarDatabase(dbPath);
  return {
    write: (snapshot) => writeSnapshot(db, options.realm, snapshot),
    revision: () => readRevision(db),
    pendingDrops: () =>
      db
        .prepare("SELECT sip_username FROM pbx_pending_drop ORDER BY sip_username")
        .all()
        .map((r) => String(r.sip_username)),
    clearPendingDrops: (usernames) => {
      const del = db.prepare("DELETE FROM pbx_pending_drop WHERE sip_username = ?");
      inTransaction(db, () => usernames.forEach((u) => del.run(u)));
    },
    close: () => db.close(),
  };
}

function readRevision(db: DatabaseSync): number | null {
  const row = db.prepare("SELECT revision FROM pbx_revision WHERE id = 1").get();
  return row === undefined ? null : Number(row.revision);
}

function writeSnapshot(db: DatabaseSync, realm: string, input: RevisionSnapshot): WriteResult {
  const parsed = RevisionSnapshot.safeParse(input);
  if (!parsed.success) throw new InvalidSnapshotError(parsed.error.issues);
  const snapshot = parsed.data;

  return inTransaction(db, () => {
    const current = readRevision(db);
    if (current !== null && snapshot.revision <= current) return { written: false, revision: current, revoked: [] };

    const previous = new Map(
      db
        .prepare("SELECT username, ha1 FROM subscriber")
        .all()
        .map((r) => [String(r.username), String(r.ha1)] as const),
    );
    const next = new Map(snapshot.devices.map((d) => [d.sipUsername, d.ha1] as const));
    const revoked = [...previous].filter(([u, ha1]) => next.get(u) !== ha1).map(([u]) => u);

    db.exec("DELETE FROM pbx_device; DELETE FROM pbx_user; DELETE FROM subscriber; DELETE FROM pbx_call_plan_destination");
    const insertUser = db.prepare(
      "INSERT INTO pbx_user (id, extension, area_prefix, caller_id, call_plan) VALUES (?, ?, ?, ?, ?)",
    );
    for (const u of snapshot.users) insertUser.run(u.id, u.extension, u.areaPrefix, u.callerId, u.callPlan);
    const insertDevice = db.prepare("INSERT INTO pbx_device (sip_username, user_id) VALUES (?, ?)");
    const insertSubscriber = db.prepare("INSERT INTO subscriber (username, domain, password, ha1) VALUES (?, ?, '', ?)");
    for (const d of snapshot.devices) {
      insertDevice.run(d.sipUsername, d.userId);
      insertSubscriber.run(d.sipUsername, realm, d.ha1);
    }
    const insertPlan = db.prepare("INSERT INTO pbx_call_plan_destination (call_plan, destination) VALUES (?, ?)");
    for (const [plan, destinations] of Object.entries(DESTINATIONS_BY_CALL_PLAN))
      for (const destination of destinations) insertPlan.run(plan, destination);

    const addDrop = db.prepare(
      "INSERT INTO pbx_pending_drop (sip_username, revision) VALUES (?, ?) " +
        "ON CONFLICT (sip_username) DO UPDATE SET revision = excluded.revision",
    );
    for (const u of revoked) addDrop.run(u, snapshot.revision);
    db.prepare(
      "INSERT INTO pbx_revision (id, revision, written_at) VALUES (1, ?, ?) " +
        "ON CONFLICT (id) DO UPDATE SET revision = excluded.revision, written_at = excluded.written_at",
    ).run(snapshot.revision, new Date().toISOString());
    return { written: true, revision: snapshot.revision, revoked };
  });
}

/** BEGIN IMMEDIATE takes the write lock up front, so the revision check and the write see one state. */
function inTransaction<T>(db: DatabaseSync, body: () => T): T {
  db.exec("BEGIN IMMEDIATE");
  try {
    const result = body();
    db.exec("COMMIT");
    return result;
  } catch (error) {
    db.exec("ROLLBACK");
    throw error;
  }
}
