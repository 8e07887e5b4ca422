/**
 * Devices register with a real Kamailio using the credentials the writer published, and lose them when a
 * later revision removes the device or rotates its password — live registrations included. sipp plays
 * the handsets.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRegistrarStore, registeredContacts, sipHa1, startRegistrar } from "../../registrar/index.ts";
import type { RunningRegistrar } from "../../registrar/index.ts";
import { device, johnDesk, lobbyPhone, maryDesk, marySoft, snapshot, users } from "./estate.ts";
import type { RevisionSnapshot } from "../../registrar/index.ts";
import { call, freeUdpPort, register, registerRepeatedly } from "./sipp.ts";

let dir: string;
let registrar: RunningRegistrar;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "registrar-reg-"));
  registrar = await startRegistrar({ dataDir: join(dir, "data") });
});
afterAll(async () => {
  await registrar?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("registering provisioned devices", () => {
  it("accepts a device's own password and refuses a wrong one", async () => {
    await registrar.publish(snapshot(1, [johnDesk, maryDesk]));

    expect(await register(dir, registrar, johnDesk)).toBe(200);
    expect(await register(dir, registrar, { username: johnDesk.username, password: "not the password" })).toBe(401);
    expect(await register(dir, registrar, { username: maryDesk.username, password: johnDesk.password })).toBe(401);
  });

  it("refuses a device that no published revision contains", async () => {
    await registrar.publish(snapshot(2, [johnDesk]));

    expect(await register(dir, registrar, marySoft)).toBe(401);
    expect(await registeredContacts(registrar.ctlSocket, marySoft.username)).toEqual([]);
  });

  it("refuses a removed device and drops the registration it already had", async () => {
    await registrar.publish(snapshot(3, [johnDesk, maryDesk]));
    const port = await freeUdpPort();
    expect(await register(dir, registrar, { ...maryDesk, contactPort: port })).toBe(200);
    expect(await registeredContacts(registrar.ctlSocket, maryDesk.username)).toEqual([
      expect.stringContaining(`:${port}`) as string,
    ]);

    const published = await registrar.publish(snapshot(4, [johnDesk]));

    expect(published.dropped).toEqual([maryDesk.username]);
    expect(await registeredContacts(registrar.ctlSocket, maryDesk.username)).toEqual([]);
    expect(await register(dir, registrar, maryDesk)).toBe(401);
    // Mary's extension now has no device to ring.
    expect(await call(dir, registrar, johnDesk, "202")).toMatchObject({ status: 480 });
  });

  it("after a password rotation refuses the old password, accepts the new one, and drops the old binding", async () => {
    await registrar.publish(snapshot(5, [johnDesk, maryDesk]));
    expect(await register(dir, registrar, { ...maryDesk, contactPort: await freeUdpPort() })).toBe(200);

    const rotated = "rotated horse 9";
    const published = await registrar.publish({
      revision: 6,
      users,
      devices: [device(johnDesk), device(maryDesk, rotated)],
    });

    expect(published.dropped).toEqual([maryDesk.username]);
    expect(await registeredContacts(registrar.ctlSocket, maryDesk.username)).toEqual([]);
    expect(await register(dir, registrar, maryDesk)).toBe(401);
    expect(await register(dir, registrar, { username: maryDesk.username, password: rotated })).toBe(200);
    // John's device kept its HA1, so its registration was left alone.
    expect(await registeredContacts(registrar.ctlSocket, johnDesk.username)).toHaveLength(1);
  });

  it("finishes dropping registrations when a publish that crashed after its write is delivered again", async () => {
    await registrar.publish(snapshot(7, [johnDesk, maryDesk]));
    expect(await register(dir, registrar, { ...maryDesk, contactPort: await freeUdpPort() })).toBe(200);
    // The write of revision 8 commits, then the publisher dies before telling Kamailio.
    const store = await openRegistrarStore(registrar.database, { realm: registrar.realm });
    await store.write(snapshot(8, [johnDesk]));
    await store.close();
    expect(await registeredContacts(registrar.ctlSocket, maryDesk.username)).toHaveLength(1);

    const redelivered = await registrar.publish(snapshot(8, [johnDesk]));

    expect(redelivered).toEqual({ written: false, revision: 8, dropped: [maryDesk.username] });
    expect(await registeredContacts(registrar.ctlSocket, maryDesk.username)).toEqual([]);
  });

  it("never rolls back to an older revision delivered late", async () => {
    await registrar.publish(snapshot(10, [johnDesk, lobbyPhone]));

    const late = await registrar.publish(snapshot(9, [johnDesk]));

    expect(late).toMatchObject({ written: false, revision: 10 });
    expect(await register(dir, registrar, lobbyPhone)).toBe(200);
  });

  it("keeps accepting registrations while 1,000-user revisions are being written", async () => {
    const big = (revision: number): RevisionSnapshot => ({
      revision,
      users: [
        ...users,
        ...Array.from({ length: 1000 }, (_, i) => ({ ...users[0]!, id: `bulk-${i}`, extension: String(1000 + i) })),
      ],
      devices: [
        device(johnDesk),
        ...Array.from({ length: 1000 }, (_, i) =>
          device({ username: `bulk-${i}`, password: `pw-${i}`, userId: `bulk-${i}` }),
        ),
      ],
    });
    let revision = 100;
    await registrar.publish(big(revision));
    let writes = 0;
    let registering = true;
    const writer = (async () => {
      while (registering) {
        await registrar.publish(big(++revision));
        writes += 1;
        await new Promise((r) => setImmediate(r));
      }
    })();

    const statuses = await registerRepeatedly(dir, registrar, johnDesk, 600).finally(() => (registering = false));
    await writer;

    expect(writes).toBeGreaterThan(1);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  });
});

describe("a registrar with the backend's realm", () => {
  it("authenticates with HA1 digests computed for that realm and refuses ones for another", async () => {
    const realm = "sip.pbx-estate.test";
    await using custom = await startRegistrar({ dataDir: join(dir, "custom-realm"), realm });
    await custom.publish({
      revision: 1,
      users,
      devices: [
        {
          sipUsername: johnDesk.username,
          ha1: sipHa1(johnDesk.username, realm, johnDesk.password),
          userId: johnDesk.userId,
        },
        device(maryDesk), // computed for the default realm: useless here
      ],
    });

    expect(await register(dir, custom, johnDesk)).toBe(200);
    expect(await register(dir, custom, maryDesk)).toBe(401);
  });
});
