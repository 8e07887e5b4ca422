/**
 * The registrar's tables in one SQLite file: Kamailio's own `version` and `subscriber` (auth_db reads them
 * on every REGISTER and INVITE) and the `pbx_*` tables the routing script queries for the dial plan.
 * Kamailio only reads this file; this store is its only writer.
 */
import { chmodSync, closeSync, openSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";
import type { RevisionSnapshot } from "../schemas/revision-snapshot.ts";
import { DESTINATIONS_BY_CALL_PLAN } from "./snapshot.ts";
import { parseSnapshot, revokedBy } from "./store-contract.ts";
import type { RegistrarStore, WriteResult } from "./store-contract.ts";

/**
 * Column types are the ones Kamailio's db_sqlite understands (VARCHAR, INTEGER): it maps a column's
 * declared type to its own.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS version (
  id INTEGER PRIMARY KEY NOT NULL,
  table_name VARCHAR(32) NOT NULL,
  table_version INTEGER DEFAULT 0 NOT NULL,
  CONSTRAINT version_table_name_idx UNIQUE (table_name)
);
INSERT OR IGNORE INTO version (table_name, table_version) VALUES ('version', 1), ('subscriber', 7);

-- Kamailio's auth_db table (schema version 7). password stays empty: only HA1 is stored.
CREATE TABLE IF NOT EXISTS subscriber (
  id INTEGER PRIMARY KEY NOT NULL,
  username VARCHAR(64) DEFAULT '' NOT NULL,
  domain VARCHAR(64) DEFAULT '' NOT NULL,
  password VARCHAR(64) DEFAULT '' NOT NULL,
  ha1 VARCHAR(128) DEFAULT '' NOT NULL,
  ha1b VARCHAR(128) DEFAULT '' NOT NULL,
  CONSTRAINT subscriber_account_idx UNIQUE (username, domain)
);
CREATE INDEX IF NOT EXISTS subscriber_username_idx ON subscriber (username);

CREATE TABLE IF NOT EXISTS pbx_user (
  id VARCHAR(64) PRIMARY KEY NOT NULL,
  extension VARCHAR(5) NOT NULL UNIQUE,
  area_prefix VARCHAR(7) NOT NULL,
  caller_id VARCHAR(16) NOT NULL,
  call_plan VARCHAR(32),
  -- Where the user's calls are recorded to; both null when recording is off.
  recording_email TEXT,
  recording_subject TEXT
);

CREATE TABLE IF NOT EXISTS pbx_device (
  sip_username VARCHAR(64) PRIMARY KEY NOT NULL,
  user_id VARCHAR(64) REFERENCES pbx_user (id)
);
CREATE INDEX IF NOT EXISTS pbx_device_user_idx ON pbx_device (user_id);

CREATE TABLE IF NOT EXISTS pbx_call_plan_destination (
  call_plan VARCHAR(32) NOT NULL,
  destination VARCHAR(16) NOT NULL,
  PRIMARY KEY (call_plan, destination)
);

-- The one revision the tables hold.
CREATE TABLE IF NOT EXISTS pbx_revision (
  id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
  revision INTEGER NOT NULL,
  written_at VARCHAR(32) NOT NULL
);

-- Devices whose live registrations must be dropped (removed, or password rotated); recorded in the same
-- transaction as the revision and cleared once Kamailio has dropped them, so a crash in between loses
-- nothing.
CREATE TABLE IF NOT EXISTS pbx_pending_drop (
  sip_username VARCHAR(64) PRIMARY KEY NOT NULL,
  revision INTEGER NOT NULL
);

-- Calls that should have been recorded but could not be anchored; written by Kamailio, never by a snapshot.
CREATE TABLE IF NOT EXISTS pbx_recording_event (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  call_id TEXT NOT NULL,
  metadata TEXT NOT NULL,
  reason TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- Recorded calls Kamailio saw answered, with their metadata; removed by the recordings worker once the call's
-- recording (or its loss, when the relay died mid-call) was mailed.
CREATE TABLE IF NOT EXISTS pbx_recording_call (
  call_id TEXT NOT NULL,
  metadata TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX IF NOT EXISTS pbx_recording_call_by_id ON pbx_recording_call (call_id);
`;

/** Columns added after the first release: a database created before them gets them on open. */
const ADDED_COLUMNS: readonly { table: string; column: string; type: string }[] = [
  { table: "pbx_user", column: "recording_email", type: "TEXT" },
  { table: "pbx_user", column: "recording_subject", type: "TEXT" },
];

/**
 * Opens (creating if needed) the registrar database in WAL mode. db_sqlite sets no busy timeout, so
 * without WAL a writer's open transaction would make Kamailio's lookups fail; with WAL readers never wait.
 * The file holds HA1 digests, which are secrets: it is created readable by its owner only.
 */
export function openRegistrarDatabase(path: string): DatabaseSync {
  closeSync(openSync(path, "a", 0o600));
  chmodSync(path, 0o600);
  const db = new DatabaseSync(path, { timeout: 5_000 });
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA foreign_keys = ON");
  db.exec(SCHEMA);
  for (const { table, column, type } of ADDED_COLUMNS) {
    const present = db
      .prepare(`PRAGMA table_info(${table})`)
      .all()
      .some((c) => c.name === column);
    if (!present) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
  }
  return db;
}

export function openSqliteStore(path: string, realm: string): RegistrarStore {
  const db = openRegistrarDatabase(path);
  return {
    write: async (snapshot) => writeSnapshot(db, realm, snapshot),
    revision: async () => readRevision(db),
    pendingDrops: async () =>
      db
        .prepare("SELECT sip_username FROM pbx_pending_drop ORDER BY sip_username")
        .all()
        .map((r) => String(r.sip_username)),
    clearPendingDrops: async (usernames) => {
      if (usernames === undefined) return void db.exec("DELETE FROM pbx_pending_drop");
      const del = db.prepare("DELETE FROM pbx_pending_drop WHERE sip_username = ?");
      inTransaction(db, () => usernames.forEach((u) => del.run(u)));
    },
    recordingEvents: async (limit) =>
      db
        .prepare("SELECT id, call_id, metadata, reason, created_at FROM pbx_recording_event ORDER BY id LIMIT ?")
        .all(limit)
        .map((r) => ({
          id: Number(r.id),
          callId: String(r.call_id),
          metadata: String(r.metadata),
          reason: String(r.reason),
          createdAt: String(r.created_at),
        })),
    deleteRecordingEvents: async (ids) => {
      const del = db.prepare("DELETE FROM pbx_recording_event WHERE id = ?");
      inTransaction(db, () => ids.forEach((id) => del.run(id)));
    },
    recordingCalls: async (callIds) => {
      const select = db.prepare("SELECT call_id, metadata, created_at FROM pbx_recording_call WHERE call_id = ?");
      return callIds.flatMap((callId) =>
        select.all(callId).map((r) => ({
          callId: String(r.call_id),
          metadata: String(r.metadata),
          createdAt: String(r.created_at),
        })),
      );
    },
    deleteRecordingCalls: async (callIds) => {
      const del = db.prepare("DELETE FROM pbx_recording_call WHERE call_id = ?");
      inTransaction(db, () => callIds.forEach((callId) => del.run(callId)));
    },
    close: async () => db.close(),
  };
}

function readRevision(db: DatabaseSync): number | null {
  const row = db.prepare("SELECT revision FROM pbx_revision WHERE id = 1").get();
  return row === undefined ? null : Number(row.revision);
}

function writeSnapshot(db: DatabaseSync, realm: string, input: RevisionSnapshot): WriteResult {
  const snapshot = parseSnapshot(input);
  return inTransaction(db, () => {
    const current = readRevision(db);
    if (current !== null && snapshot.revision <= current) return { written: false, revision: current, revoked: [] };

    const previous = new Map(
      db
        .prepare("SELECT username, ha1 FROM subscriber")
        .all()
        .map((r) => [String(r.username), String(r.ha1)] as const),
    );
    const revoked = revokedBy(previous, snapshot);

    db.exec(
      "DELETE FROM pbx_device; DELETE FROM pbx_user; DELETE FROM subscriber; DELETE FROM pbx_call_plan_destination",
    );
    const insertUser = db.prepare(
      "INSERT INTO pbx_user (id, extension, area_prefix, caller_id, call_plan, recording_email, recording_subject) " +
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    for (const u of snapshot.users)
      insertUser.run(
        u.id,
        u.extension,
        u.areaPrefix,
        u.callerId,
        u.callPlan,
        u.recording?.email ?? null,
        u.recording?.subject ?? null,
      );
    const insertDevice = db.prepare("INSERT INTO pbx_device (sip_username, user_id) VALUES (?, ?)");
    const insertSubscriber = db.prepare(
      "INSERT INTO subscriber (username, domain, password, ha1) VALUES (?, ?, '', ?)",
    );
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
