/**
 * Calls through a real Kamailio follow the users' settings as published: an extension rings every
 * registered device of its user, numbers leave through the trunk with the area prefix and the caller's
 * caller ID, and the call plan refuses what it does not cover while emergency numbers always go through.
 * sipp plays the handsets and the carrier trunk.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startRegistrar } from "../../registrar/index.ts";
import type { RunningRegistrar } from "../../registrar/index.ts";
import { johnDesk, lobbyPhone, maryDesk, marySoft, snapshot, users } from "./estate.ts";
import { call, freeUdpPort, register, startUas } from "./sipp.ts";
import type { Uas } from "./sipp.ts";

let dir: string;
let registrar: RunningRegistrar;
let trunkPort: number;
const running: Uas[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "registrar-calls-"));
  trunkPort = await freeUdpPort();
  registrar = await startRegistrar({ dataDir: join(dir, "data"), trunk: { host: "127.0.0.1", port: trunkPort } });
  await registrar.publish(snapshot(1, [johnDesk, maryDesk, marySoft, lobbyPhone]));
});
afterEach(() => running.splice(0).forEach((uas) => uas.stop()));
afterAll(async () => {
  await registrar?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function uas(scenario: "device-answer" | "device-ring" | "trunk", port?: number): Promise<Uas> {
  const started = await startUas(dir, scenario, port);
  running.push(started);
  return started;
}

describe("calling an extension", () => {
  it("rings every registered device of the user who has it, and the answered call hangs up cleanly", async () => {
    const desk = await uas("device-answer");
    const soft = await uas("device-ring");
    expect(await register(dir, registrar, { ...maryDesk, contactPort: desk.port })).toBe(200);
    expect(await register(dir, registrar, { ...marySoft, contactPort: soft.port })).toBe(200);

    const result = await call(dir, registrar, johnDesk, "202");

    expect(result).toEqual({ status: 200, reason: "OK", hungUp: true });
    await desk.finished();
    await soft.finished();
    expect(desk.invites()).toEqual([
      expect.objectContaining({ ruri: expect.stringContaining(`mary-desk@127.0.0.1:${desk.port}`) as string }),
    ]);
    expect(soft.invites()).toEqual([
      expect.objectContaining({ ruri: expect.stringContaining(`mary-soft@127.0.0.1:${soft.port}`) as string }),
    ]);
    expect(soft.log()).toContain("CANCELLED");
    // The callee sees John's extension as the caller.
    expect(desk.invites()[0]?.pai).toBe("<sip:201@pbx-estate>");
  });

  it("answers 404 for an extension nobody has", async () => {
    expect(await call(dir, registrar, johnDesk, "299")).toMatchObject({ status: 404, reason: "Extension Not Found" });
  });
});

describe("calling out through the trunk", () => {
  it("sends a local number with the caller's area prefix and caller ID, replacing a forged identity", async () => {
    const trunk = await uas("trunk", trunkPort);

    const result = await call(dir, registrar, johnDesk, "71234567");

    expect(result).toEqual({ status: 200, reason: "OK", hungUp: true });
    await trunk.finished();
    const [invite] = trunk.invites();
    expect(invite?.ruri).toBe(`sip:02071234567@127.0.0.1:${trunkPort}`);
    expect(invite?.pai).toBe("<sip:+442079460001@pbx-estate;user=phone>");
    expect(trunk.log().join("\n")).not.toContain("forged.invalid");
  });

  it("uses each caller's own area prefix and caller ID", async () => {
    const trunk = await uas("trunk", trunkPort);

    expect(await call(dir, registrar, marySoft, "5551234")).toMatchObject({ status: 200 });

    await trunk.finished();
    expect(trunk.invites()[0]).toMatchObject({
      ruri: `sip:01615551234@127.0.0.1:${trunkPort}`,
      pai: "<sip:+441619460002@pbx-estate;user=phone>",
    });
  });

  it("refuses an international number on a national plan with 403 and says why", async () => {
    for (const number of ["+33142685300", "0033142685300"])
      expect(await call(dir, registrar, johnDesk, number)).toMatchObject({
        status: 403,
        reason: "International Calls Not In Call Plan",
      });
  });

  it("lets an international plan call abroad, number unchanged", async () => {
    const trunk = await uas("trunk", trunkPort);

    expect(await call(dir, registrar, maryDesk, "+33142685300")).toMatchObject({ status: 200 });

    await trunk.finished();
    expect(trunk.invites()[0]?.ruri).toBe(`sip:+33142685300@127.0.0.1:${trunkPort}`);
  });

  it("lets a national plan call a national number", async () => {
    const trunk = await uas("trunk", trunkPort);

    expect(await call(dir, registrar, johnDesk, "01214960000")).toMatchObject({ status: 200 });

    await trunk.finished();
    expect(trunk.invites()[0]?.ruri).toBe(`sip:01214960000@127.0.0.1:${trunkPort}`);
  });

  it("always lets 112 and 999 through, even on a national plan and from a phone linked to nobody", async () => {
    for (const [caller, number] of [
      [johnDesk, "112"],
      [johnDesk, "999"],
      [lobbyPhone, "112"],
    ] as const) {
      const trunk = await uas("trunk", trunkPort);
      expect(await call(dir, registrar, caller, number)).toMatchObject({ status: 200 });
      await trunk.finished();
      expect(trunk.invites()[0]?.ruri).toBe(`sip:${number}@127.0.0.1:${trunkPort}`);
      trunk.stop();
    }
  });

  it("refuses everything else from a phone linked to nobody", async () => {
    expect(await call(dir, registrar, lobbyPhone, "201")).toMatchObject({
      status: 403,
      reason: "Device Not Linked To A User",
    });
  });

  it("follows a changed call plan at the next revision without a reload", async () => {
    await registrar.publish({
      revision: 2,
      users: users.map((u) => (u.id === "u-john" ? { ...u, callPlan: "international" as const } : u)),
      devices: snapshot(2, [johnDesk, maryDesk, marySoft, lobbyPhone]).devices,
    });
    const trunk = await uas("trunk", trunkPort);

    expect(await call(dir, registrar, johnDesk, "+33142685300")).toMatchObject({ status: 200 });

    await trunk.finished();
  });
});
