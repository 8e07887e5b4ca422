/**
 * The registrar's tables in PostgreSQL, for shared deployments: several backend processes publish to one
 * database that one Kamailio (with `kamailio-postgres-modules`) reads. Same tables and behaviour as the
 * SQLite store; concurrent publishers are serialised by a row lock on `pbx_revision`, so a slower
 * publisher holding an older revision writes nothing once a newer one is in.
 */
import type { Client } from "pg";
import type { RevisionSnapshot } from "../schemas/revision-snapshot.ts";
import { DESTINATIONS_BY_CALL_PLAN } from "./snapshot.ts";
import { parseSnapshot, revokedBy } from "./store-contract.ts";
import type { RegistrarStore, WriteResult } from "./store-contract.ts";

const SCHEMA = `
CREATE TABLE IF NOT EXISTS version (
  id SERIAL PRIMARY KEY NOT NULL,
  table_name VARCHAR(32) NOT NULL,
  table_version INTEGER DEFAULT 0 NOT NULL,
  CONSTRAINT version_table_name_idx UNIQUE (table_name)
);
INSERT INTO version (table_name, table_version) VALUES ('version', 1), ('subscriber', 7) ON CONFLICT DO NOTHING;

CREATE TABLE IF NOT EXISTS subscriber (
  id SERIAL PRIMARY KEY NOT NULL,
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
  call_plan VARCHAR(32)
);
-- Where the user's calls are recorded to; both null when recording is off. Added after the first release,
-- so a database created before gets them here.
ALTER TABLE pbx_user ADD COLUMN IF NOT EXISTS recording_email TEXT;
ALTER TABLE pbx_user ADD COLUMN IF NOT EXISTS recording_subject TEXT;

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

-- One row from the start, so every publisher can lock it; revision -1 means nothing written yet.
CREATE TABLE IF NOT EXISTS pbx_revision (
  id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
  revision BIGINT NOT NULL,
  written_at VARCHAR(32) NOT NULL
);
INSERT INTO pbx_revision (id, revision, written_at) VALUES (1, -1, '') ON CONFLICT DO NOTHING;

CREATE TABLE IF NOT EXISTS pbx_pending_drop (
  sip_username VARCHAR(64) PRIMARY KEY NOT NULL,
  revision BIGINT NOT NULL
);

-- Calls that should have been recorded but could not be anchored; written by Kamailio, never by a snapshot.
CREATE TABLE IF NOT EXISTS pbx_recording_event (
  id BIGSERIAL PRIMARY KEY,
  call_id TEXT NOT NULL,
  metadata TEXT NOT NULL,
  reason TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Recorded calls Kamailio saw answered, with their metadata; removed by the recordings worker once the call's
-- recording (or its loss, when the relay died mid-call) was mailed.
CREATE TABLE IF NOT EXISTS pbx_recording_call (
  call_id TEXT NOT NULL,
  metadata TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS pbx_recording_call_by_id ON pbx_recording_call (call_id);
`;

export async function openPostgresStore(url: string, realm: string): Promise<RegistrarStore> {
  const pg = await import("pg");
  const client = new pg.default.Client({ connectionString: url });
  await client.connect();
  try {
    // Concurrent CREATE TABLE IF NOT EXISTS can still collide; one schema creator at a time.
    await inTransaction(client, async () => {
      await client.query("SELECT pg_advisory_xact_lock(hashtext('pbx-estate registrar schema'))");
      await client.query(SCHEMA);
    });
  } catch (error) {
    await client.end();
    throw error;
  }
  return {
    write: (snapshot) => writeSnapshot(client, realm, snapshot),
    revision: async () => {
      const { rows } = await client.query<{ revision: string }>("SELECT revision FROM pbx_revision WHERE id = 1");
      const revision = Number(rows[0]?.revision ?? -1);
      return revision < 0 ? null : revision;
    },
    pendingDrops: async () =>
      (
        await client.query<{ sip_username: string }>("SELECT sip_username FROM pbx_pending_drop ORDER BY sip_username")
      ).rows.map((r) => r.sip_username),
    clearPendingDrops: async (usernames) => {
      if (usernames === undefined) await client.query("DELETE FROM pbx_pending_drop");
      else await client.query("DELETE FROM pbx_pending_drop WHERE sip_username = ANY($1::text[])", [usernames]);
    },
    recordingEvents: async (limit) =>
      (
        await client.query<{ id: string; call_id: string; metadata: string; reason: string; created_at: Date }>(
          "SELECT id, call_id, metadata, reason, created_at FROM pbx_recording_event ORDER BY id LIMIT $1",
          [limit],
        )
      ).rows.map((r) => ({
        id: Number(r.id),
        callId: r.call_id,
        metadata: r.metadata,
        reason: r.reason,
        createdAt: r.created_at.toISOString(),
      })),
    deleteRecordingEvents: async (ids) => {
      await client.query("DELETE FROM pbx_recording_event WHERE id = ANY($1::bigint[])", [ids]);
    },
    recordingCalls: async (callIds) =>
      (
        await client.query<{ call_id: string; metadata: string; created_at: Date }>(
          "SELECT call_id, metadata, created_at FROM pbx_recording_call WHERE call_id = ANY($1::text[])",
          [callIds],
        )
      ).rows.map((r) => ({ callId: r.call_id, metadata: r.metadata, createdAt: r.created_at.toISOString() })),
    deleteRecordingCalls: async (callIds) => {
      await client.query("DELETE FROM pbx_recording_call WHERE call_id = ANY($1::text[])", [callIds]);
    },
    close: () => client.end(),
  };
}

async function writeSnapshot(client: Client, realm: string, input: RevisionSnapshot): Promise<WriteResult> {
  const snapshot = parseSnapshot(input);
  return inTransaction(client, async () => {
    const locked = await client.query<{ revision: string }>(
      "SELECT revision FROM pbx_revision WHERE id = 1 FOR UPDATE",
    );
    const current = Number(locked.rows[0]?.revision ?? -1);
    if (current >= 0 && snapshot.revision <= current) return { written: false, revision: current, revoked: [] };

    const previous = new Map(
      (await client.query<{ username: string; ha1: string }>("SELECT username, ha1 FROM subscriber")).rows.map(
        (r) => [r.username, r.ha1] as const,
      ),
    );
    const revoked = revokedBy(previous, snapshot);

    await client.query(
      "DELETE FROM pbx_device; DELETE FROM pbx_user; DELETE FROM subscriber; DELETE FROM pbx_call_plan_destination",
    );
    const { users, devices } = snapshot;
    await client.query(
      "INSERT INTO pbx_user (id, extension, area_prefix, caller_id, call_plan, recording_email, recording_subject) " +
        "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])",
      [
        users.map((u) => u.id),
        users.map((u) => u.extension),
        users.map((u) => u.areaPrefix),
        users.map((u) => u.callerId),
        users.map((u) => u.callPlan),
        users.map((u) => u.recording?.email ?? null),
        users.map((u) => u.recording?.subject ?? null),
      ],
    );
    await client.query("INSERT INTO pbx_device (sip_username, user_id) SELECT * FROM unnest($1::text[], $2::text[])", [
      devices.map((d) => d.sipUsername),
      devices.map((d) => d.userId),
    ]);
    await client.query(
      "INSERT INTO subscriber (username, domain, password, ha1) SELECT u, $2, '', h FROM unnest($1::text[], $3::text[]) AS t (u, h)",
      [devices.map((d) => d.sipUsername), realm, devices.map((d) => d.ha1)],
    );
    const plans = Object.entries(DESTINATIONS_BY_CALL_PLAN).flatMap(([plan, ds]) => ds.map((d) => [plan, d] as const));
    await client.query(
      "INSERT INTO pbx_call_plan_destination (call_plan, destination) SELECT * FROM unnest($1::text[], $2::text[])",
      [plans.map(([p]) => p), plans.map(([, d]) => d)],
    );
    await client.query(
      "INSERT INTO pbx_pending_drop (sip_username, revision) SELECT u, $2 FROM unnest($1::text[]) AS t (u) " +
        "ON CONFLICT (sip_username) DO UPDATE SET revision = excluded.revision",
      [revoked, snapshot.revision],
    );
    await client.query("UPDATE pbx_revision SET revision = $1, written_at = $2 WHERE id = 1", [
      snapshot.revision,
      new Date().toISOString(),
    ]);
    return { written: true, revision: snapshot.revision, revoked };
  });
}

async function inTransaction<T>(client: Client, body: () => Promise<T>): Promise<T> {
  await client.query("BEGIN");
  try {
    const result = await body();
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  }
}
