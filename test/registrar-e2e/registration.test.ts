/**
 * What a user applies is what a real SIP registrar accepts: after a provider `up`, a handset (sipp) registers with
 * the device's credentials from the stack outputs; a rotated password replaces the old one at the registrar; a
 * destroyed device is refused and loses its binding; and a device only staged in a change set never reaches it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REGISTRAR_REALM, sipHa1 } from "../../registrar/index.ts";
import { estateEngine } from "../provider/harness.ts";
import { johnEstate } from "../provider/estate.ts";
import { freeUdpPort, register } from "../registrar/sipp.ts";
import { createDevice, currentRevision, startEstateBackend } from "./harness.ts";
import type { EstateBackend } from "./harness.ts";

let b: EstateBackend;
beforeAll(async () => {
  b = await startEstateBackend();
});
afterAll(async () => {
  await b?.[Symbol.asyncDispose]();
});

async function deskCredentials(
  outputs: Record<string, { value: unknown }>,
): Promise<{ username: string; password: string }> {
  const username = outputs.deskUser?.value;
  const password = outputs.deskPassword?.value;
  if (typeof username !== "string" || typeof password !== "string" || password === "")
    throw new Error("no desk credentials in the outputs");
  return { username, password };
}

describe("devices applied with the provider", () => {
  it("register with their own password after up, then follow rotation and destroy", async () => {
    await using engine = await estateEngine(b, async () => {
      const estate = johnEstate();
      return { deskUser: estate.desk.sipUsername, deskPassword: estate.desk.sipPassword };
    });
    await engine.up();
    const first = await deskCredentials(await engine.stack.outputs());
    await b.published(await currentRevision(b));

    // The device tells the handset where to register: the real registrar.
    const devices = await b.call<{ sipUsername: string; registrar: unknown }[]>("GET", "/v1/devices");
    expect(devices.body.find((d) => d.sipUsername === first.username)?.registrar).toEqual({
      host: b.registrar.host,
      port: b.registrar.port,
      transport: "udp",
    });

    const contactPort = await freeUdpPort();
    expect(await register(b.dir, b.registrar, { ...first, contactPort })).toBe(200);
    expect(await b.contacts(first.username)).toEqual([expect.stringContaining(`:${contactPort}`) as string]);
    expect(await register(b.dir, b.registrar, { username: first.username, password: `${first.password}x` })).toBe(401);

    // Rotation: the old password stops working and its live registration is dropped.
    engine.setProgram(async () => {
      const estate = johnEstate({ rotation: "2" });
      return { deskUser: estate.desk.sipUsername, deskPassword: estate.desk.sipPassword };
    });
    await engine.up();
    const rotated = await deskCredentials(await engine.stack.outputs());
    expect(rotated.username).toBe(first.username);
    expect(rotated.password).not.toBe(first.password);
    await b.published(await currentRevision(b));
    expect(await b.contacts(first.username)).toEqual([]);
    expect(await register(b.dir, b.registrar, first)).toBe(401);
    expect(await register(b.dir, b.registrar, { ...rotated, contactPort })).toBe(200);

    // Destroy: refused, and the binding it had is gone.
    await engine.destroy();
    await b.published(await currentRevision(b));
    expect(await b.contacts(first.username)).toEqual([]);
    expect(await register(b.dir, b.registrar, rotated)).toBe(401);

    // Nothing secret reached the backend's logs on the way: neither the passwords nor their HA1 digests.
    expect(b.logs()).toContain('"registrar.published"'); // the positive control: the publisher did log
    for (const c of [first, rotated]) {
      expect(b.logs()).not.toContain(c.password);
      expect(b.logs()).not.toContain(sipHa1(c.username, REGISTRAR_REALM, c.password));
    }
  });
});

describe("devices staged in a change set", () => {
  it("are refused until the change set is applied", async () => {
    const order = await b.licences([], 1);
    const cs = await b.call<{ id: string }>("POST", "/v1/change-sets", { description: "new phone" });
    expect(cs.status).toBe(201);
    const staged = await createDevice(b, "Staged Phone", order.devices[0]!, cs.body.id);
    const before = await b.registrarRevision();

    expect(await register(b.dir, b.registrar, { username: staged.sipUsername, password: staged.sipPassword })).toBe(
      401,
    );
    expect(await b.registrarRevision()).toBe(before); // staging wrote no revision to the registrar

    const applied = await b.call<{ revision: number }>("POST", `/v1/change-sets/${cs.body.id}/apply`);
    expect(applied.status).toBe(200);
    await b.published(applied.body.revision);
    expect(await register(b.dir, b.registrar, { username: staged.sipUsername, password: staged.sipPassword })).toBe(
      200,
    );
  });
});
