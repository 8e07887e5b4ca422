/**
 * PbxUser hooks on a fake API (provider/testing/fake-pbx-api.ts): what a plan and an apply decide for a
 * user, without the engine. The real engine and backend are in test/provider/.
 */
import { describe, expect, it } from "vitest";
import { rememberCheck } from "../identity.ts";
import { hooksFor } from "../index.ts";
import { FAKE_ACCOUNT, fakeContext } from "../testing/fake-pbx-api.ts";
import { userHooks } from "./hooks.ts";

const reference = "pbx:0a1b2c3d:ada.0123456789abcdef0123";
const declared = {
  name: "Ada Lovelace",
  extension: "301",
  licenceId: "sub_licence00000001",
  areaPrefix: "020",
  outboundCallerId: FAKE_ACCOUNT.numbers[0],
  deviceIds: [],
};
const recorded = { ...declared, clientReference: reference, accountId: FAKE_ACCOUNT.accountId, version: 1 };

describe("PbxUser diff", () => {
  const { diff } = hooksFor("user");
  it("changes a renamed user or one given another licence in place, and nothing for devices listed in another order", async () => {
    const olds = { ...recorded, deviceIds: ["dev_desk0000000001", "dev_soft0000000001"] };
    expect(await diff("usr_x", olds, { ...olds, name: "Ada King" })).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect(await diff("usr_x", olds, { ...olds, licenceId: "sub_licence00000002" })).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    expect(
      (await diff("usr_x", olds, { ...olds, deviceIds: ["dev_soft0000000001", "dev_desk0000000001"] })).changes,
    ).toBe(false);
  });

  it("leaves an omitted call plan to whatever is live", async () => {
    expect((await diff("usr_x", { ...recorded, callPlan: "international" }, declared)).changes).toBe(false);
  });
});

describe("PbxUser read", () => {
  it("reports a user deleted in the portal as gone", async () => {
    const { ctx } = fakeContext();
    expect(await userHooks.read(ctx, "usr_gone000000001", recorded)).toEqual({});
  });

  it("refuses to call a user gone when the token is another account's", async () => {
    const { ctx } = fakeContext();
    const read = userHooks.read(ctx, "usr_gone000000001", { ...recorded, accountId: "acc_otheraccount01" });
    await expect(read).rejects.toThrow(/belongs to account acc_otheraccount01.*Nothing was marked as deleted/);
  });

  it("reports a change made in the portal and keeps what the stack recorded", async () => {
    const { ctx, api } = fakeContext();
    const live = api.addUser({ ...declared, extension: "399", clientReference: reference });
    const { id, props } = await userHooks.read(ctx, live.id, { ...recorded, __provider: "shim" });
    expect(id).toBe(live.id);
    expect(props).toMatchObject({
      extension: "399",
      name: "Ada Lovelace",
      __provider: "shim",
      accountId: FAKE_ACCOUNT.accountId,
    });
    expect(props).not.toHaveProperty("recording"); // the default is left out of state
  });
});

describe("PbxUser create", () => {
  it("adopts the user an earlier attempt made, whose answer was lost, instead of making a second one", async () => {
    const { ctx, api } = fakeContext();
    const orphan = api.addUser({ ...declared, name: "Ada", clientReference: reference });
    rememberCheck(reference, false); // as `check` does before a first create
    const { id, outs } = await userHooks.create(ctx, { ...declared, clientReference: reference });
    expect(id).toBe(orphan.id);
    expect(api.calls.filter((c) => /^(createUser|updateUser) /.test(c))).toEqual([
      `updateUser ${orphan.id} {"name":"Ada Lovelace"}`,
    ]);
    expect(outs).toMatchObject({ name: "Ada Lovelace", version: 2 });
  });

  it("makes a user with its device links in one change set", async () => {
    const { ctx, api } = fakeContext();
    const ref = "pbx:0a1b2c3d:grace.0123456789abcdef0123";
    rememberCheck(ref, false);
    const { id, outs } = await userHooks.create(ctx, {
      ...declared,
      deviceIds: ["dev_desk0000000001"],
      clientReference: ref,
    });
    expect(api.usersById.get(id)).toMatchObject({ clientReference: ref, deviceIds: ["dev_desk0000000001"] });
    expect(api.calls.filter((c) => c.startsWith("applyChangeSet"))).toHaveLength(1);
    expect(outs).toMatchObject({ deviceIds: ["dev_desk0000000001"], accountId: FAKE_ACCOUNT.accountId });
  });

  it("refuses to adopt a user that is not in the account", async () => {
    const { ctx } = fakeContext();
    await expect(
      userHooks.create(ctx, { ...declared, adopt: "usr_missing0000001", clientReference: reference }),
    ).rejects.toThrow("adopt: user usr_missing0000001 does not exist in this account");
  });
});

describe("PbxUser update", () => {
  it("sends only the fields that changed, and links and unlinks devices to match the declaration", async () => {
    const { ctx, api } = fakeContext();
    const live = api.addUser({ ...declared, deviceIds: ["dev_desk0000000001"], clientReference: reference });
    const olds = { ...recorded, deviceIds: ["dev_desk0000000001"] };
    const { outs } = await userHooks.update(ctx, live.id, olds, {
      ...declared,
      name: "Ada King",
      deviceIds: ["dev_soft0000000001"],
      clientReference: reference,
    });
    expect(api.calls.filter((c) => /^(updateUser|linkDevice|unlinkDevice) /.test(c))).toEqual([
      `updateUser ${live.id} {"name":"Ada King"}`,
      `unlinkDevice ${live.id} dev_desk0000000001`,
      `linkDevice ${live.id} dev_soft0000000001`,
    ]);
    expect(outs).toMatchObject({ name: "Ada King", deviceIds: ["dev_soft0000000001"], clientReference: reference });
  });
});
