// The configuration's index (config-index.ts) must answer as a walk over the whole configuration would,
// after any sequence of operations and on copies changed apart from their original.
import { describe, expect, it } from "vitest";
import { ApiError } from "../errors.ts";
import { existingDeviceByReference } from "../devices/validator.ts";
import { holderIn } from "../subscriptions/holding.ts";
import { existingUserByReference } from "../users/validator.ts";
import {
  cloneConfig,
  deleteDevice,
  deleteUser,
  putDevice,
  putUser,
  setLinks,
  usersOfDevice,
  type Config,
  type Context,
  type DeviceState,
  type UserState,
} from "./model.ts";
import { replay, type Op } from "./operations.ts";

const NUMBER = "+442079460000";

function user(id: string, licenceId: string, clientReference: string | null = null): UserState {
  return {
    id,
    clientReference,
    name: `name of ${id}`,
    extension: String(200 + Number(id.replace(/\D/g, "") || 0)),
    licenceId,
    areaPrefix: "020",
    outboundCallerId: NUMBER,
    recording: { enabled: false },
    liveVersion: 1,
    createdAt: null,
    updatedAt: null,
  };
}

function device(id: string, licenceId: string, clientReference: string | null = null): DeviceState {
  return {
    id,
    clientReference,
    name: `name of ${id}`,
    licenceId,
    sipUsername: `sip-${id}`,
    ha1: "h",
    passwordFingerprint: "f",
    liveVersion: 1,
    createdAt: null,
    updatedAt: null,
  };
}

function live(): { config: Config; ctx: Context } {
  const config: Config = {
    users: new Map([
      ["usr_1", user("usr_1", "sub_u1")],
      ["usr_2", user("usr_2", "sub_u2")],
    ]),
    devices: new Map([["dev_1", device("dev_1", "sub_d1")]]),
    links: new Map([
      ["usr_1", new Set(["dev_1"])],
      ["usr_2", new Set<string>()],
    ]),
  };
  const licence = (id: string, product: string) =>
    [
      id,
      {
        id,
        product,
        callPlan: product === "user-licence" ? "pay-as-you-go" : null,
        status: "active",
        cancellationEffectiveAt: null,
      },
    ] as const;
  const ctx: Context = {
    licences: new Map([
      licence("sub_u1", "user-licence"),
      licence("sub_u2", "user-licence"),
      licence("sub_u3", "user-licence"),
      licence("sub_d1", "sip-device-licence"),
      licence("sub_d2", "sip-device-licence"),
    ]),
    numbers: [NUMBER],
  };
  return { config, ctx };
}

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof ApiError) return e.code;
    throw e;
  }
  return "ok";
}

const createUser = (id: string, licenceId: string, clientReference: string | null = null): Op => {
  const { liveVersion: _v, createdAt: _c, updatedAt: _u, ...fields } = user(id, licenceId, clientReference);
  return { op: "user.create", ...fields };
};

describe("licence holding through a change set", () => {
  it("a licence freed by a delete may be taken later in the same change set, and is then held", () => {
    const { config, ctx } = live();
    holderIn(config, "sub_u1"); // the live configuration is indexed before it is copied, as a cached one is
    const after = replay(config, ctx, [{ op: "user.delete", id: "usr_1" }, createUser("usr_3", "sub_u1")], true);
    expect(holderIn(after, "sub_u1")).toEqual({ kind: "user", id: "usr_3", name: "name of usr_3" });
    // Taken again: refused, naming the new holder.
    expect(refusal(() => replay(after, ctx, [createUser("usr_4", "sub_u1")], false))).toBe("licence-held");
    // The original is untouched by what its copy did.
    expect(holderIn(config, "sub_u1")).toEqual({ kind: "user", id: "usr_1", name: "name of usr_1" });
  });

  it("a device moved to another licence frees its old one and holds the new one", () => {
    const { config, ctx } = live();
    const ops: Op[] = [
      { op: "device.update", id: "dev_1", licenceId: "sub_d2" },
      {
        op: "device.create",
        id: "dev_2",
        clientReference: null,
        name: "n",
        licenceId: "sub_d1",
        sipUsername: "s2",
        ha1: "h",
        passwordFingerprint: "f",
      },
    ];
    const after = replay(config, ctx, ops, true);
    expect(holderIn(after, "sub_d1")?.id).toBe("dev_2");
    expect(holderIn(after, "sub_d2")?.id).toBe("dev_1");
    expect(
      refusal(() => replay(config, ctx, [...ops, { ...ops[1]!, id: "dev_3", licenceId: "sub_d2" } as Op], false)),
    ).toBe("licence-held");
  });

  it("a device unlinked, or whose user is deleted, may be deleted in the same change set", () => {
    const { config, ctx } = live();
    expect(refusal(() => replay(config, ctx, [{ op: "device.delete", id: "dev_1" }], false))).toBe("device-linked");
    const unlinked = replay(config, ctx, [{ op: "user.unlink", id: "usr_1", deviceId: "dev_1" }], false);
    expect(usersOfDevice(unlinked, "dev_1")).toEqual([]);
    expect(usersOfDevice(config, "dev_1")).toEqual(["usr_1"]);
    const ops: Op[] = [
      { op: "user.delete", id: "usr_1" },
      { op: "device.delete", id: "dev_1" },
    ];
    expect(refusal(() => replay(config, ctx, ops, true))).toBe("ok");
  });

  it("a device linked to two users inside a change set names both, in the configuration's order", () => {
    const { config, ctx } = live();
    const both = replay(config, ctx, [{ op: "user.link", id: "usr_2", deviceId: "dev_1" }], false);
    expect(usersOfDevice(both, "dev_1")).toEqual(["usr_1", "usr_2"]);
    expect(refusal(() => replay(config, ctx, [{ op: "user.link", id: "usr_2", deviceId: "dev_1" }], true))).toBe(
      "device-link-conflict",
    );
  });

  it("a client reference is found once created and not after a delete", () => {
    const { config, ctx } = live();
    const created = replay(config, ctx, [createUser("usr_3", "sub_u3", "ref-3")], false);
    expect(existingUserByReference(created, "ref-3")).toBe("usr_3");
    expect(existingUserByReference(config, "ref-3")).toBeNull();
    const deleted = replay(created, ctx, [{ op: "user.delete", id: "usr_3" }], false);
    expect(existingUserByReference(deleted, "ref-3")).toBeNull();
  });
});

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What the index answers, against what a walk over the whole configuration finds. */
function expectIndexTrue(c: Config, keys: { licences: string[]; references: string[] }): void {
  for (const licenceId of keys.licences) {
    const device = [...c.devices.values()].find((d) => d.licenceId === licenceId);
    const user = [...c.users.values()].find((u) => u.licenceId === licenceId);
    const walked = device ?? user;
    expect(holderIn(c, licenceId)?.id ?? null).toBe(walked?.id ?? null);
  }
  for (const deviceId of c.devices.keys())
    expect(usersOfDevice(c, deviceId)).toEqual([...c.links].filter(([, s]) => s.has(deviceId)).map(([u]) => u));
  for (const ref of keys.references) {
    expect(existingUserByReference(c, ref)).toBe(
      [...c.users.values()].find((u) => u.clientReference === ref)?.id ?? null,
    );
    expect(existingDeviceByReference(c, ref)).toBe(
      [...c.devices.values()].find((d) => d.clientReference === ref)?.id ?? null,
    );
  }
}

describe("the index under any changes", () => {
  it("answers as a walk does, on the original and on copies changed apart from it", () => {
    const next = random(24);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
    const keys = {
      licences: Array.from({ length: 12 }, (_, i) => `sub_${i}`),
      references: Array.from({ length: 6 }, (_, i) => `ref-${i}`),
    };
    const ids = {
      users: Array.from({ length: 10 }, (_, i) => `usr_${i}`),
      devices: Array.from({ length: 10 }, (_, i) => `dev_${i}`),
    };
    const maybeRef = () => (next() < 0.5 ? pick(keys.references) : null);
    const change = (c: Config): void => {
      const r = next();
      if (r < 0.25) putDevice(c, device(pick(ids.devices), pick(keys.licences), maybeRef()));
      else if (r < 0.35) deleteDevice(c, pick(ids.devices));
      else if (r < 0.6) {
        const id = pick(ids.users);
        putUser(c, user(id, pick(keys.licences), maybeRef()));
        if (!c.links.has(id)) setLinks(c, id, new Set());
      } else if (r < 0.7) {
        const id = pick(ids.users);
        deleteUser(c, id);
        setLinks(c, id, undefined);
      } else {
        const id = pick(ids.users);
        if (!c.users.has(id)) return;
        const set = new Set(c.links.get(id));
        const deviceId = pick(ids.devices);
        if (set.has(deviceId)) set.delete(deviceId);
        else set.add(deviceId);
        setLinks(c, id, set);
      }
    };
    let configs: Config[] = [{ devices: new Map(), users: new Map(), links: new Map() }];
    for (let round = 0; round < 60; round++) {
      // Each round: every configuration changes, then one is copied (copies share their original's index).
      for (const c of configs) for (let i = 0; i < 8; i++) change(c);
      configs.push(cloneConfig(pick(configs)));
      if (configs.length > 6) configs = configs.slice(-6);
      for (const c of configs) expectIndexTrue(c, keys);
    }
  });
});
