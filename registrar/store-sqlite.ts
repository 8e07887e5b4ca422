/**
 * The registrar's SQLite file: Kamailio's own `version` and `subscriber` tables (auth_db reads them on
 * every REGISTER and INVITE) and the `pbx_*` tables the routing script queries for the dial plan.
 * Kamailio only reads this file; `RegistrarStore` is its only writer.
 */
import { chmodSync, closeSync, openSync } from "node:fs";
import { DatabaseSync } from "node:sqlite";

/**
 * Column types are the ones Kamailio's db_sqlite understands (VARCHAR, INTEGER); it maps a column's
 * declared type to its own, so a bare TEXT column would not be read as a string.
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
  call_plan VARCHAR(32)
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
`;

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
  return db;
}
