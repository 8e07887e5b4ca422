import { describe, expect, it } from "vitest";
import { ApiError } from "../errors.ts";
import type { Config, Context } from "./model.ts";
import { replay, type Op } from "./operations.ts";

function live(): { config: Config; ctx: Context } {
  const user = (id: string, extension: string, licenceId: string) => ({
    id,
    clientReference: null,
    name: id,
    extension,
    licenceId,
    areaPrefix: "020",
    outboundCallerId: "+442079460000",
    recording: { enabled: false },
    liveVersion: 1,
    createdAt: null,
    updatedAt: null,
  });
  const config: Config = {
    users: new Map([
      ["usr_a", user("usr_a", "201", "sub_ua")],
      ["usr_b", user("usr_b", "202", "sub_ub")],
    ]),
    devices: new Map([
      [
        "dev_1",
        {
          id: "dev_1",
          clientReference: null,
          name: "Phone",
          licenceId: "sub_d1",
          sipUsername: "s1",
          ha1: "h",
          passwordFingerprint: "f",
          liveVersion: 1,
          createdAt: null,
          updatedAt: null,
        },
      ],
    ]),
    links: new Map([
      ["usr_a", new Set(["dev_1"])],
      ["usr_b", new Set<string>()],
    ]),
  };
  const lic = (id: string, product: string, status = "active") =>
    [
      id,
      {
        id,
        product,
        callPlan: product === "user-licence" ? "pay-as-you-go" : null,
        status,
        cancellationEffectiveAt: null,
      },
    ] as const;
  const ctx: Context = {
    licences: new Map([
      lic("sub_ua", "user-licence"),
      lic("sub_ub", "user-licence"),
      lic("sub_d1", "sip-device-licence"),
      lic("sub_d2", "sip-device-licence"),
      lic("sub_dx", "sip-device-licence", "cancelled"),
    ]),
    numbers: ["+442079460000"],
  };
  return { config, ctx };
}

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof ApiError) return e.code;
    throw e;
  }
  return "ok";
}

describe("replaying a change set", () => {
  const swap: Op[] = [
    { op: "user.update", id: "usr_a", patch: { extension: "202" } },
    { op: "user.update", id: "usr_b", patch: { extension: "201" } },
  ];

  it("lets a change set pass through a duplicate extension and checks only the result at apply", () => {
    const { config, ctx } = live();
    expect(code(() => replay(config, ctx, swap.slice(0, 1), false))).toBe("ok");
    expect(code(() => replay(config, ctx, swap.slice(0, 1), true))).toBe("extension-taken");
    const after = replay(config, ctx, swap, true);
    expect(after.users.get("usr_a")?.extension).toBe("202");
    expect(config.users.get("usr_a")?.extension).toBe("201"); // the live state is not touched
  });

  it("moves a device between users when it is unlinked by the end, and refuses two owners at apply", () => {
    const { config, ctx } = live();
    const link: Op = { op: "user.link", id: "usr_b", deviceId: "dev_1" };
    expect(code(() => replay(config, ctx, [link], true))).toBe("device-link-conflict");
    const moved = replay(config, ctx, [link, { op: "user.unlink", id: "usr_a", deviceId: "dev_1" }], true);
    expect([...(moved.links.get("usr_b") ?? [])]).toEqual(["dev_1"]);
  });

  it("refuses a held, cancelled or wrong licence at every step", () => {
    const { config, ctx } = live();
    const create = (licenceId: string): Op => ({
      op: "device.create",
      id: "dev_2",
      clientReference: null,
      name: "New",
      licenceId,
      sipUsername: "s2",
      ha1: "h",
      passwordFingerprint: "f",
    });
    expect(code(() => replay(config, ctx, [create("sub_d1")], false))).toBe("licence-held");
    expect(code(() => replay(config, ctx, [create("sub_dx")], false))).toBe("licence-cancelled");
    expect(code(() => replay(config, ctx, [create("sub_ua")], false))).toBe("licence-wrong-product");
    expect(code(() => replay(config, ctx, [create("sub_d2")], true))).toBe("ok");
    // A licence freed earlier in the same change set may be taken later in it.
    expect(
      code(() =>
        replay(
          config,
          ctx,
          [
            { op: "user.unlink", id: "usr_a", deviceId: "dev_1" },
            { op: "device.delete", id: "dev_1" },
            create("sub_d1"),
          ],
          true,
        ),
      ),
    ).toBe("ok");
  });

  it("refuses deleting a linked device and a stale If-Match", () => {
    const { config, ctx } = live();
    expect(code(() => replay(config, ctx, [{ op: "device.delete", id: "dev_1" }], true))).toBe("device-linked");
    expect(
      code(() => replay(config, ctx, [{ op: "user.update", id: "usr_a", ifVersion: 7, patch: { name: "x" } }], true)),
    ).toBe("version-mismatch");
  });

  it("leaves the configuration it replays on unchanged, although the copy shares its objects", () => {
    const { config, ctx } = live();
    const snapshot = (c: Config) => ({
      users: [...c.users.values()].map((u) => ({ ...u })),
      devices: [...c.devices.values()].map((d) => ({ ...d })),
      links: [...c.links].map(([u, set]) => [u, [...set]]),
    });
    const before = snapshot(config);
    const ops: Op[] = [
      { op: "device.update", id: "dev_1", name: "Renamed", licenceId: "sub_d2" },
      { op: "device.rotate", id: "dev_1", ha1: "h2", passwordFingerprint: "f2" },
      { op: "user.unlink", id: "usr_a", deviceId: "dev_1" },
      { op: "user.link", id: "usr_b", deviceId: "dev_1" },
      { op: "user.update", id: "usr_a", patch: { name: "Alice" } },
    ];
    // Each alone, so that every operation meets the shared objects of the original.
    for (const op of ops) replay(config, ctx, [op], false);
    expect(snapshot(config)).toEqual(before);
    const after = replay(config, ctx, ops, true);
    expect(snapshot(config)).toEqual(before);
    expect(after.devices.get("dev_1")).toMatchObject({ name: "Renamed", licenceId: "sub_d2", ha1: "h2" });
    expect([...after.links.get("usr_b")!]).toEqual(["dev_1"]);
    expect([...after.links.get("usr_a")!]).toEqual([]);
  });
});
