import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InvalidSnapshotError } from "./errors.ts";
import { REGISTRAR_REALM, sipHa1 } from "./snapshot.ts";
import type { RevisionSnapshot } from "./snapshot.ts";
import { openRegistrarStore } from "./store.ts";
import type { RegistrarStore } from "./store.ts";

let dir: string;
let dbPath: string;
let store: RegistrarStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "registrar-store-"));
  dbPath = join(dir, "registrar.db");
  store = openRegistrarStore(dbPath, { realm: REGISTRAR_REALM });
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const ha1 = (user: string, password: string): string => sipHa1(user, REGISTRAR_REALM, password);
const john = { id: "u-john", extension: "201", areaPrefix: "020", callerId: "+442079460001", callPlan: "national-unlimited" as const };
const base: RevisionSnapshot = {
  revision: 1,
  users: [john],
  devices: [
    { sipUsername: "john-desk", ha1: ha1("john-desk", "pw1"), userId: "u-john" },
    { sipUsername: "lobby", ha1: ha1("lobby", "pw2"), userId: null },
  ],
};
const read = (sql: string): Record<string, unknown>[] => {
  const db = new DatabaseSync(dbPath, { readOnly: true });
  try {
    return db.prepare(sql).all().map((r) => ({ ...r }));
  } finally {
    db.close();
  }
};

describe("RegistrarStore", () => {
  it("stores HA1 digests under the registrar's realm and never a password", () => {
    store.write(base);

    expect(read("SELECT username, domain, password, ha1 FROM subscriber ORDER BY username")).toEqual([
      { username: "john-desk", domain: "pbx-estate", password: "", ha1: ha1("john-desk", "pw1") },
      { username: "lobby", domain: "pbx-estate", password: "", ha1: ha1("lobby", "pw2") },
    ]);
    // md5("john-desk:pbx-estate:pw1"), computed independently
    expect(ha1("john-desk", "pw1")).toBe("73a262451994102ca0152f5e562ce40b");
  });

  it("keeps the file private and in WAL mode", () => {
    store.write(base);
    expect(statSync(dbPath).mode & 0o777).toBe(0o600);
    expect(read("PRAGMA journal_mode")).toEqual([{ journal_mode: "wal" }]);
  });

  it("lists devices removed or re-keyed as pending drops, and keeps them until cleared", () => {
    store.write(base);
    const result = store.write({
      revision: 2,
      users: [john],
      devices: [{ sipUsername: "john-desk", ha1: ha1("john-desk", "rotated"), userId: "u-john" }],
    });

    expect(result).toEqual({ written: true, revision: 2, revoked: ["john-desk", "lobby"] });
    store.close();
    store = openRegistrarStore(dbPath, { realm: REGISTRAR_REALM });
    expect(store.pendingDrops()).toEqual(["john-desk", "lobby"]);
    store.clearPendingDrops(["lobby"]);
    expect(store.pendingDrops()).toEqual(["john-desk"]);
  });

  it("ignores a snapshot at or below the stored revision", () => {
    store.write({ ...base, revision: 5 });

    expect(store.write({ ...base, revision: 4, devices: [] })).toEqual({ written: false, revision: 5, revoked: [] });
    expect(store.write({ ...base, revision: 5, devices: [] })).toMatchObject({ written: false });
    expect(read("SELECT count(*) AS n FROM subscriber")).toEqual([{ n: 2 }]);
    expect(store.revision()).toBe(5);
  });

  it("refuses a malformed snapshot and leaves the previous revision whole", () => {
    store.write(base);
    const broken: RevisionSnapshot = {
      revision: 2,
      users: [john, { ...john, id: "u-2" }],
      devices: [{ sipUsername: "x", ha1: "plaintext-password", userId: "u-missing" }],
    };

    let error: unknown;
    try {
      store.write(broken);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidSnapshotError);
    expect((error as InvalidSnapshotError).issues.map((i) => i.path.join("."))).toEqual(
      expect.arrayContaining(["users.1.extension", "devices.0.ha1", "devices.0.userId"]),
    );
    expect(store.revision()).toBe(1);
    expect(read("SELECT username FROM subscriber ORDER BY username")).toEqual([{ username: "john-desk" }, { username: "lobby" }]);
  });

  it("does not make a reader without a busy timeout fail while a write is open", () => {
    store.write(base);
    const writer = new DatabaseSync(dbPath);
    const reader = new DatabaseSync(dbPath, { timeout: 0 }); // like Kamailio's db_sqlite
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
