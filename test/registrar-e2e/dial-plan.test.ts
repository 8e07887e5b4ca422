/**
 * Calls follow the users' applied settings: through the API (the engine would add nothing here) John and Mary are
 * created with their devices; the backend publishes them to its registrar; sipp plays the handsets and the trunk.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { call, freeUdpPort, register, startUas } from "../registrar/sipp.ts";
import type { Uas } from "../registrar/sipp.ts";
import { NUMBERS, createDevice, createUser, currentRevision, startEstateBackend } from "./harness.ts";
import type { ApiDevice, EstateBackend } from "./harness.ts";

let b: EstateBackend;
let trunkPort: number;
let johnSoft: ApiDevice;
let maryDesk: ApiDevice;
let marySoft: ApiDevice;
const running: Uas[] = [];

const creds = (d: ApiDevice) => ({ username: d.sipUsername, password: d.sipPassword });

beforeAll(async () => {
  trunkPort = await freeUdpPort();
  b = await startEstateBackend({ trunkPort });
  const licences = await b.licences(["national-unlimited", "international"], 3);
  const [johnLicence, maryLicence] = licences.users as [string, string];
  const [l1, l2, l3] = licences.devices as [string, string, string];
  johnSoft = await createDevice(b, "John's Softphone", l1);
  maryDesk = await createDevice(b, "Mary's Desk Phone", l2);
  marySoft = await createDevice(b, "Mary's Softphone", l3);
  await createUser(
    b,
    { name: "John Smith", extension: "201", licenceId: johnLicence, areaPrefix: "020", outboundCallerId: NUMBERS[0]! },
    [johnSoft.id],
  );
  await createUser(
    b,
    { name: "Mary Jones", extension: "202", licenceId: maryLicence, areaPrefix: "0161", outboundCallerId: NUMBERS[1]! },
    [maryDesk.id, marySoft.id],
  );
  await b.published(await currentRevision(b));
});
afterEach(() => running.splice(0).forEach((uas) => uas.stop()));
afterAll(async () => {
  await b?.[Symbol.asyncDispose]();
});

async function uas(scenario: "device-answer" | "device-ring" | "trunk", port?: number): Promise<Uas> {
  const started = await startUas(b.dir, scenario, port);
  running.push(started);
  return started;
}

describe("calls between users", () => {
  it("John's softphone calling Mary's extension rings each of Mary's registered devices", async () => {
    const desk = await uas("device-answer");
    const soft = await uas("device-ring");
    expect(await register(b.dir, b.registrar, { ...creds(maryDesk), contactPort: desk.port })).toBe(200);
    expect(await register(b.dir, b.registrar, { ...creds(marySoft), contactPort: soft.port })).toBe(200);

    expect(await call(b.dir, b.registrar, creds(johnSoft), "202")).toEqual({ status: 200, reason: "OK", hungUp: true });

    await desk.finished();
    await soft.finished();
    expect(desk.invites()).toEqual([
      expect.objectContaining({
        ruri: expect.stringContaining(`${maryDesk.sipUsername}@127.0.0.1:${desk.port}`) as string,
      }),
    ]);
    expect(soft.invites()).toEqual([
      expect.objectContaining({
        ruri: expect.stringContaining(`${marySoft.sipUsername}@127.0.0.1:${soft.port}`) as string,
      }),
    ]);
    expect(desk.invites()[0]?.pai).toBe("<sip:201@pbx-estate>");
  });
});

describe("calls through the trunk", () => {
  it("a local number reaches the trunk with John's area prefix and caller ID", async () => {
    const trunk = await uas("trunk", trunkPort);

    expect(await call(b.dir, b.registrar, creds(johnSoft), "71234567")).toMatchObject({ status: 200 });

    await trunk.finished();
    expect(trunk.invites()).toEqual([
      expect.objectContaining({
        ruri: `sip:02071234567@127.0.0.1:${trunkPort}`,
        pai: `<sip:${NUMBERS[0]}@pbx-estate;user=phone>`,
      }),
    ]);
  });

  it("an international number on John's national plan is refused, and 112 is not", async () => {
    expect(await call(b.dir, b.registrar, creds(johnSoft), "+33142685300")).toMatchObject({
      status: 403,
      reason: "International Calls Not In Call Plan",
    });

    const trunk = await uas("trunk", trunkPort);
    expect(await call(b.dir, b.registrar, creds(johnSoft), "112")).toMatchObject({ status: 200 });
    await trunk.finished();
    expect(trunk.invites()).toEqual([expect.objectContaining({ ruri: `sip:112@127.0.0.1:${trunkPort}` })]);
  });
});
