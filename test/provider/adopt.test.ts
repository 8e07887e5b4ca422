/**
 * Adopting objects made by hand in the portal (the alternative to `pulumi import`, which has long been
 * broken for dynamic providers): declared with `adopt: <id>`, they come under management without being
 * made again. An adopted device's password is unknown until it is rotated.
 */
import { describe, expect, it } from "vitest";
import { PbxUser, ServiceSubscription, SipDevice } from "../../sdk/index.ts";
import { estateEngine, NUMBERS, startTestBackend, TERMS } from "./harness.ts";

describe("adopting portal-made objects", () => {
  it("brings licences, a device and a user under management without re-creating them", async () => {
    await using backend = await startTestBackend();
    const order = await backend.call<{ subscriptions: { id: string }[] }>("POST", "/v1/orders", {
      termsVersion: TERMS,
      items: [{ product: "user-licence", callPlan: "national-unlimited" }, { product: "sip-device-licence" }],
    });
    const [userLicence, deviceLicence] = order.body.subscriptions.map((s) => s.id);
    const device = await backend.call<{ id: string; sipUsername: string; passwordFingerprint: string }>(
      "POST",
      "/v1/devices",
      {
        name: "Front Desk",
        licenceId: deviceLicence,
      },
    );
    const user = await backend.call<{ id: string }>("POST", "/v1/users", {
      name: "Mary Jones",
      extension: "301",
      licenceId: userLicence,
      areaPrefix: "0161",
      outboundCallerId: NUMBERS[0],
    });
    await backend.call("POST", `/v1/users/${user.body.id}/devices`, { deviceId: device.body.id });

    let rotation: string | undefined = undefined; // set below, read by the program on the next up
    await using engine = await estateEngine(backend, async () => {
      const ul = new ServiceSubscription("mary-licence", {
        product: "user-licence",
        callPlan: "national-unlimited",
        termsVersion: TERMS,
        adopt: userLicence,
      });
      const dl = new ServiceSubscription("front-desk-licence", {
        product: "sip-device-licence",
        termsVersion: TERMS,
        adopt: deviceLicence,
      });
      const d = new SipDevice("front-desk", {
        name: "Front Desk",
        licenceId: dl.id,
        adopt: device.body.id,
        ...(rotation ? { rotation } : {}),
      });
      new PbxUser("mary", {
        name: "Mary Jones",
        extension: "301",
        licenceId: ul.id,
        areaPrefix: "0161",
        outboundCallerId: NUMBERS[0]!,
        deviceIds: [d.id],
        adopt: user.body.id,
      });
      return { password: d.sipPassword };
    });

    await engine.up();
    const counts = async () => ({
      subscriptions: (await backend.call<unknown[]>("GET", "/v1/subscriptions")).body.length,
      devices: (await backend.call<unknown[]>("GET", "/v1/devices")).body.length,
      users: (await backend.call<unknown[]>("GET", "/v1/users")).body.length,
    });
    expect(await counts()).toEqual({ subscriptions: 2, devices: 1, users: 1 });
    expect((await engine.stack.outputs()).password!.value).toBe(""); // unknown until rotated
    await engine.preview({ expectNoChanges: true });

    rotation = "2026-11";
    const rotated = await engine.up();
    expect(rotated.steps.filter((s) => s.op !== "same").map((s) => [s.op, s.name])).toEqual([["update", "front-desk"]]);
    expect(((await engine.stack.outputs()).password!.value as string).length).toBeGreaterThanOrEqual(20);
    const after = (
      await backend.call<{ id: string; sipUsername: string; passwordFingerprint: string }[]>("GET", "/v1/devices")
    ).body;
    expect(after).toEqual([expect.objectContaining({ id: device.body.id, sipUsername: device.body.sipUsername })]);
    expect(after[0]!.passwordFingerprint).not.toBe(device.body.passwordFingerprint);
    expect(await counts()).toEqual({ subscriptions: 2, devices: 1, users: 1 });
  });
});
