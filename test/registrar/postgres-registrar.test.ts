/**
 * The shared-deployment variant end to end: Kamailio reads its tables from PostgreSQL (db_postgres), the
 * writer publishes there, and handsets register and call by those tables.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startRegistrar } from "../../registrar/index.ts";
import type { RunningRegistrar } from "../../registrar/index.ts";
import { device, johnDesk, maryDesk, snapshot, users } from "./estate.ts";
import { createDatabase, describeWithPostgres } from "./postgres.ts";
import { call, freeUdpPort, register, startUas } from "./sipp.ts";

describeWithPostgres("a registrar reading PostgreSQL", () => {
  let dir: string;
  let db: { url: string; drop(): Promise<void> };
  let registrar: RunningRegistrar;
  let trunkPort: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "registrar-pg-"));
    db = await createDatabase();
    trunkPort = await freeUdpPort();
    registrar = await startRegistrar({
      dataDir: join(dir, "data"),
      database: { kind: "postgres", url: db.url },
      trunk: { host: "127.0.0.1", port: trunkPort },
    });
  });
  afterAll(async () => {
    await registrar?.stop();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("authenticates against the published HA1 and follows a rotation", async () => {
    await registrar.publish(snapshot(1, [johnDesk, maryDesk]));
    expect(await register(dir, registrar, johnDesk)).toBe(200);
    expect(await register(dir, registrar, { ...johnDesk, password: "wrong" })).toBe(401);

    await registrar.publish({ revision: 2, users, devices: [device(johnDesk, "rotated"), device(maryDesk)] });

    expect(await register(dir, registrar, johnDesk)).toBe(401);
    expect(await register(dir, registrar, { ...johnDesk, password: "rotated" })).toBe(200);
  });

  it("routes by the users' settings: area prefix and caller ID to the trunk, call plan refusals", async () => {
    await registrar.publish(snapshot(3, [johnDesk, maryDesk]));
    const trunk = await startUas(dir, "trunk", trunkPort);
    try {
      expect(await call(dir, registrar, johnDesk, "71234567")).toMatchObject({ status: 200 });
      await trunk.finished();
      expect(trunk.invites()[0]).toMatchObject({
        ruri: `sip:02071234567@127.0.0.1:${trunkPort}`,
        pai: "<sip:+442079460001@pbx-estate;user=phone>",
      });
    } finally {
      trunk.stop();
    }
    expect(await call(dir, registrar, johnDesk, "+33142685300")).toMatchObject({ status: 403 });
  });
});
