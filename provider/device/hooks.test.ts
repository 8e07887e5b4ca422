/**
 * SipDevice hooks on a fake API (provider/testing/fake-pbx-api.ts): the SIP password a user gets, what is
 * adopted, and a password rotated in the portal. The real engine and backend are in test/provider/.
 */
import { describe, expect, it } from "vitest";
import { rememberCheck } from "../identity.ts";
import { hooksFor } from "../index.ts";
import { FAKE_ACCOUNT, fakeContext } from "../testing/fake-pbx-api.ts";
import { deviceHooks } from "./hooks.ts";
import { PASSWORD_ROTATED_OUTSIDE } from "./inputs.ts";

const reference = "pbx:0a1b2c3d:ada-desk.0123456789abcdef0123";
const declared = { name: "Ada's Desk Phone", licenceId: "sub_licence00000001" };

describe("SipDevice diff", () => {
  it("changes a renamed device or a new rotation in place, and plans a rotation for a password changed in the portal", async () => {
    const { diff } = hooksFor("device");
    const olds = { ...declared, clientReference: reference, passwordFingerprint: "sha256:0000000000000000" };
    expect(await diff("dev_x", olds, { ...declared, name: "Ada's Phone" })).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect((await diff("dev_x", olds, { ...declared, rotation: "2026-11" })).changes).toBe(true);
    expect((await diff("dev_x", olds, declared)).changes).toBe(false);
    expect((await diff("dev_x", { ...olds, passwordChange: PASSWORD_ROTATED_OUTSIDE }, declared)).changes).toBe(true);
  });
});

describe("SipDevice create", () => {
  it("makes a device and records the SIP password it was given", async () => {
    const { ctx, api } = fakeContext();
    rememberCheck(reference, false);
    const { id, outs } = await deviceHooks.create(ctx, { ...declared, clientReference: reference });
    expect(outs).toMatchObject({
      name: declared.name,
      sipPassword: api.passwordOf(id),
      accountId: FAKE_ACCOUNT.accountId,
      clientReference: reference,
    });
    expect(outs.passwordChange).toBeUndefined();
  });

  it("adopts the device an earlier attempt made, and rotates its password, which that attempt's lost answer held", async () => {
    const { ctx, api } = fakeContext();
    const orphan = api.addDevice({ ...declared, clientReference: reference });
    const before = api.passwordOf(orphan.id);
    rememberCheck(reference, false);
    const { id, outs } = await deviceHooks.create(ctx, { ...declared, clientReference: reference });
    expect(id).toBe(orphan.id);
    expect(api.calls.some((c) => c.startsWith("createDevice"))).toBe(false);
    expect(outs.sipPassword).toBe(api.passwordOf(orphan.id));
    expect(outs.sipPassword).not.toBe(before);
  });

  it("adopts a device named by `adopt` with an empty password until it is rotated", async () => {
    const { ctx, api } = fakeContext();
    const existing = api.addDevice({ ...declared, name: "Old name" });
    const { id, outs } = await deviceHooks.create(ctx, { ...declared, adopt: existing.id, clientReference: reference });
    expect(id).toBe(existing.id);
    expect(outs).toMatchObject({ name: declared.name, sipPassword: "" });
  });
});

describe("SipDevice read and update", () => {
  it("marks a password rotated in the portal, and the update that follows rotates it again", async () => {
    const { ctx, api } = fakeContext();
    rememberCheck(reference, false);
    const { id, outs: created } = await deviceHooks.create(ctx, { ...declared, clientReference: reference });
    expect((await deviceHooks.read(ctx, id, created)).props).toEqual(created);

    api.setPassword(id);
    const refresh = fakeContext({ api }).ctx; // a later run
    const { props: read } = await deviceHooks.read(refresh, id, created);
    expect(read).toMatchObject({ passwordChange: PASSWORD_ROTATED_OUTSIDE, sipPassword: "" });

    const { outs } = await deviceHooks.update(refresh, id, read ?? {}, { ...declared, clientReference: reference });
    expect(outs).toMatchObject({ sipPassword: api.passwordOf(id) });
    expect(outs).not.toHaveProperty("passwordChange");
  });

  it("reports a device deleted in the portal as gone, and a delete of it as done", async () => {
    const { ctx } = fakeContext();
    const recorded = { ...declared, clientReference: reference, accountId: FAKE_ACCOUNT.accountId };
    expect(await deviceHooks.read(ctx, "dev_gone000000001", recorded)).toEqual({});
    await expect(deviceHooks.delete(ctx, "dev_gone000000001", recorded)).resolves.toBeUndefined();
  });
});
