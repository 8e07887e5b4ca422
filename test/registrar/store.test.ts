/**
 * The snapshot writer, on SQLite and on PostgreSQL: HA1 only, atomic, monotonic revisions, drops that
 * survive a crash, and (PostgreSQL) concurrent publishers that end on the newest revision.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { InvalidSnapshotError, openRegistrarStore, REGISTRAR_REALM, sipHa1 } from "../../registrar/index.ts";
import type { RegistrarDatabase, RegistrarStore, RevisionSnapshot } from "../../registrar/index.ts";
import { createDatabase, describeWithPostgres, queryRows } from "./postgres.ts";

const ha1 = (user: string, password: string): string => sipHa1(user, REGISTRAR_REALM, password);
const john = {
  id: "u-john",
  extension: "201",
  areaPrefix: "020",
  callerId: "+442079460001",
  callPlan: "national-unlimited" as const,
  recording: null,
};
const mary = {
  id: "u-mary",
  extension: "202",
  areaPrefix: "0161",
  callerId: "+441619460002",
  callPlan: "international" as const,
  recording: { email: "mary@example.com", subject: "Mary's calls" },
};
const base: RevisionSnapshot = {
  revision: 1,
  users: [john],
  devices: [
    { sipUsername: "john-desk", ha1: ha1("john-desk", "pw1"), userId: "u-john" },
    { sipUsername: "lobby", ha1: ha1("lobby", "pw2"), userId: null },
  ],
};

interface Backend {
  database(): RegistrarDatabase;
  rows(sql: string): Promise<Record<string, unknown>[]>;
  /** Runs statements as another writer would (Kamailio, or an older release of the store). */
  exec(sql: string): Promise<void>;
}

/** pbx_user as the registrar created it before users' recording settings reached it. */
const PBX_USER_BEFORE_RECORDING = `CREATE TABLE pbx_user (
  id VARCHAR(64) PRIMARY KEY NOT NULL,
  extension VARCHAR(5) NOT NULL UNIQUE,
  area_prefix VARCHAR(7) NOT NULL,
  caller_id VARCHAR(16) NOT NULL,
  call_plan VARCHAR(32)
)`;

/** The behaviour both stores share. */
function storeBehaviour(backend: () => Backend): void {
  describe("what both stores do", () => {
    let store: RegistrarStore;
    beforeEach(async () => {
      store = await openRegistrarStore(backend().database(), { realm: REGISTRAR_REALM });
    });
    afterEach(async () => store.close());

    it("stores HA1 digests under the registrar's realm and never a password", async () => {
      await store.write(base);

      expect(await backend().rows("SELECT username, domain, password, ha1 FROM subscriber ORDER BY username")).toEqual([
        { username: "john-desk", domain: "pbx-estate", password: "", ha1: ha1("john-desk", "pw1") },
        { username: "lobby", domain: "pbx-estate", password: "", ha1: ha1("lobby", "pw2") },
      ]);
      // md5("john-desk:pbx-estate:pw1"), computed independently
      expect(ha1("john-desk", "pw1")).toBe("73a262451994102ca0152f5e562ce40b");
    });

    it("lists devices removed or re-keyed as pending drops, and keeps them across a reopen until cleared", async () => {
      await store.write(base);
      const result = await store.write({
        revision: 2,
        users: [john],
        devices: [{ sipUsername: "john-desk", ha1: ha1("john-desk", "rotated"), userId: "u-john" }],
      });

      expect(result).toEqual({ written: true, revision: 2, revoked: ["john-desk", "lobby"] });
      await store.close();
      store = await openRegistrarStore(backend().database(), { realm: REGISTRAR_REALM });
      expect(await store.pendingDrops()).toEqual(["john-desk", "lobby"]);
      await store.clearPendingDrops(["lobby"]);
      expect(await store.pendingDrops()).toEqual(["john-desk"]);
    });

    it("ignores a snapshot at or below the stored revision", async () => {
      await store.write({ ...base, revision: 5 });

      expect(await store.write({ ...base, revision: 4, devices: [] })).toEqual({
        written: false,
        revision: 5,
        revoked: [],
      });
      expect(await store.write({ ...base, revision: 5, devices: [] })).toMatchObject({ written: false });
      expect(Number((await backend().rows("SELECT count(*) AS n FROM subscriber"))[0]?.n)).toBe(2);
      expect(await store.revision()).toBe(5);
    });

    it("stores where a recording user's calls go, and nulls for a user without recording", async () => {
      await store.write({ ...base, users: [john, mary] });

      expect(await backend().rows("SELECT id, recording_email, recording_subject FROM pbx_user ORDER BY id")).toEqual([
        { id: "u-john", recording_email: null, recording_subject: null },
        { id: "u-mary", recording_email: "mary@example.com", recording_subject: "Mary's calls" },
      ]);
    });

    it("refuses a recording without an address, as the user's own rules do", async () => {
      const noAddress = { ...mary, recording: { email: "not an address", subject: "Mary's calls" } };

      await expect(store.write({ ...base, users: [john, noAddress] })).rejects.toThrow(InvalidSnapshotError);
    });

    it("lists the calls Kamailio could not anchor, oldest first, and forgets the ones deleted", async () => {
      await store.write(base);
      for (const callId of ["call-1", "call-2", "call-3"])
        await backend().exec(
          `INSERT INTO pbx_recording_event (call_id, metadata, reason) VALUES ('${callId}', 'v=1&user=752d6a6f686e', 'relay-unavailable')`,
        );

      const events = await store.recordingEvents(2);
      expect(events.map((e) => [e.callId, e.metadata, e.reason])).toEqual([
        ["call-1", "v=1&user=752d6a6f686e", "relay-unavailable"],
        ["call-2", "v=1&user=752d6a6f686e", "relay-unavailable"],
      ]);
      for (const e of events) expect(Math.abs(Date.parse(e.createdAt) - Date.now())).toBeLessThan(60_000);
      expect(events[0]?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);

      await store.deleteRecordingEvents(events.map((e) => e.id));
      expect((await store.recordingEvents(10)).map((e) => e.callId)).toEqual(["call-3"]);
      // A snapshot never touches them.
      await store.write({ ...base, revision: 2 });
      expect(await store.recordingEvents(10)).toHaveLength(1);
    });

    it("finds recorded calls in progress by Call-ID, and forgets the ones deleted", async () => {
      await store.write(base);
      for (const callId of ["a@pbx.test", "b@pbx.test"])
        await backend().exec(
          `INSERT INTO pbx_recording_call (call_id, metadata) VALUES ('${callId}', 'v=1&user=752d6a6f686e')`,
        );

      const calls = await store.recordingCalls(["b@pbx.test", "unknown@pbx.test"]);
      expect(calls.map((c) => [c.callId, c.metadata])).toEqual([["b@pbx.test", "v=1&user=752d6a6f686e"]]);
      expect(calls[0]?.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      expect(Math.abs(Date.parse(calls[0]?.createdAt ?? "") - Date.now())).toBeLessThan(60_000);

      await store.deleteRecordingCalls(["a@pbx.test"]);
      await store.write({ ...base, revision: 2 }); // a snapshot never touches them
      expect((await store.recordingCalls(["a@pbx.test", "b@pbx.test"])).map((c) => c.callId)).toEqual(["b@pbx.test"]);
    });

    it("refuses a malformed snapshot and leaves the previous revision whole", async () => {
      await store.write({ ...base, revision: 10 });
      const broken: RevisionSnapshot = {
        revision: 11,
        users: [john, { ...john, id: "u-2" }],
        devices: [{ sipUsername: "x", ha1: "plaintext-password", userId: "u-missing" }],
      };

      const error = await store.write(broken).then(
        () => undefined,
        (e: unknown) => e,
      );

      expect(error).toBeInstanceOf(InvalidSnapshotError);
      expect((error as InvalidSnapshotError).issues.map((i) => i.path.join("."))).toEqual(
        expect.arrayContaining(["users.1.extension", "devices.0.ha1", "devices.0.userId"]),
      );
      expect(await store.revision()).toBe(10);
      expect(await backend().rows("SELECT username FROM subscriber ORDER BY username")).toEqual([
        { username: "john-desk" },
        { username: "lobby" },
      ]);
    });
  });
}

describe("the SQLite registrar store", () => {
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "registrar-store-"));
    path = join(dir, "registrar.db");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const read = async (sql: string): Promise<Record<string, unknown>[]> => {
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      return db
        .prepare(sql)
        .all()
        .map((r) => ({ ...r }));
    } finally {
      db.close();
    }
  };

  const exec = async (sql: string): Promise<void> => {
    const db = new DatabaseSync(path);
    try {
      db.exec(sql);
    } finally {
      db.close();
    }
  };

  storeBehaviour(() => ({ database: () => ({ kind: "sqlite", path }), rows: read, exec }));

  it("adds the recording columns to a database created before them", async () => {
    await exec(PBX_USER_BEFORE_RECORDING);
    await exec("INSERT INTO pbx_user VALUES ('u-old', '209', '020', '+442079460009', NULL)");

    const store = await openRegistrarStore({ kind: "sqlite", path }, { realm: REGISTRAR_REALM });
    await store.close();

    expect(await read("SELECT id, recording_email, recording_subject FROM pbx_user")).toEqual([
      { id: "u-old", recording_email: null, recording_subject: null },
    ]);
  });

  it("keeps the file private and in WAL mode", async () => {
    const store = await openRegistrarStore({ kind: "sqlite", path }, { realm: REGISTRAR_REALM });
    await store.write(base);
    await store.close();

    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(await read("PRAGMA journal_mode")).toEqual([{ journal_mode: "wal" }]);
  });

  it("does not make a reader without a busy timeout fail while a write is open", async () => {
    const store = await openRegistrarStore({ kind: "sqlite", path }, { realm: REGISTRAR_REALM });
    await store.write(base);
    await store.close();
    const writer = new DatabaseSync(path);
    const reader = new DatabaseSync(path, { timeout: 0 }); // like Kamailio's db_sqlite
    try {
      writer.exec("BEGIN IMMEDIATE; DELETE FROM subscriber;");
      expect(reader.prepare("SELECT count(*) AS n FROM subscriber").get()).toEqual({ n: 2 });
      writer.exec("ROLLBACK");
    } finally {
      writer.close();
      reader.close();
    }
  });
});

describeWithPostgres("the PostgreSQL registrar store", () => {
  let db: { url: string; drop(): Promise<void> };
  beforeEach(async () => {
    db = await createDatabase();
  });
  afterEach(async () => db.drop());

  storeBehaviour(() => ({
    database: () => ({ kind: "postgres", url: db.url }),
    rows: (sql) => queryRows(db.url, sql),
    exec: async (sql) => void (await queryRows(db.url, sql)),
  }));

  it("adds the recording columns to a database created before them", async () => {
    await queryRows(db.url, PBX_USER_BEFORE_RECORDING);
    await queryRows(db.url, "INSERT INTO pbx_user VALUES ('u-old', '209', '020', '+442079460009', NULL)");

    const store = await openRegistrarStore({ kind: "postgres", url: db.url }, { realm: REGISTRAR_REALM });
    await store.close();

    expect(await queryRows(db.url, "SELECT id, recording_email, recording_subject FROM pbx_user")).toEqual([
      { id: "u-old", recording_email: null, recording_subject: null },
    ]);
  });

  it("ends on the newest revision when several publishers deliver out of order at once", async () => {
    const revisions = Array.from({ length: 20 }, (_, i) => i + 1).sort(() => Math.random() - 0.5);
    const snapshotFor = (revision: number): RevisionSnapshot => ({
      revision,
      users: [john],
      devices: [{ sipUsername: "john-desk", ha1: ha1("john-desk", `pw-${revision}`), userId: "u-john" }],
    });
    // Four publishers, each its own connection, as separate backend processes would have.
    const publishers = await Promise.all(
      Array.from({ length: 4 }, () =>
        openRegistrarStore({ kind: "postgres", url: db.url }, { realm: REGISTRAR_REALM }),
      ),
    );
    try {
      await Promise.all(
        publishers.map(async (store, p) => {
          for (const revision of revisions.filter((_, i) => i % publishers.length === p))
            await store.write(snapshotFor(revision));
        }),
      );
    } finally {
      await Promise.all(publishers.map((s) => s.close()));
    }

    expect(await queryRows(db.url, "SELECT revision FROM pbx_revision")).toEqual([{ revision: "20" }]);
    expect(await queryRows(db.url, "SELECT ha1 FROM subscriber")).toEqual([{ ha1: ha1("john-desk", "pw-20") }]);
  });
});

// Schema creation itself races when publishers start together.
describeWithPostgres("the PostgreSQL registrar store, first use", () => {
  let db: { url: string; drop(): Promise<void> };
  beforeAll(async () => {
    db = await createDatabase();
  });
  afterAll(async () => db.drop());

  it("lets several publishers create the tables at the same moment", async () => {
    const stores = await Promise.all(
      Array.from({ length: 4 }, () =>
        openRegistrarStore({ kind: "postgres", url: db.url }, { realm: REGISTRAR_REALM }),
      ),
    );
    await Promise.all(stores.map((s) => s.close()));

    expect(await queryRows(db.url, "SELECT table_name, table_version FROM version ORDER BY table_name")).toEqual([
      { table_name: "subscriber", table_version: 7 },
      { table_name: "version", table_version: 1 },
    ]);
  });
});
