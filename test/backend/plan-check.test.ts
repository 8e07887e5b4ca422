/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-member-access -- black-box tests read untyped JSON bodies */
// POST /v1/plan-checks against the real change-set apply: for every rule code of the backend, a plan the
// check refuses with it is refused by the apply too, and the corrected plan the check accepts applies on the
// same account.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Backend } from "../../backend/server.ts";
import { RULE_CODES } from "../../backend/configuration/rule-codes.ts";
import { describeEachStore, newAccount, NUMBERS, order, start, TERMS, userBody, type Client } from "./harness.ts";

interface PlannedLicence {
  id: string;
  product: string;
  callPlan?: string | null;
}
type PlannedOperation = { ref: string; op: string; id: string } & Record<string, unknown>;
interface Plan {
  licences?: PlannedLicence[];
  reinstated?: string[];
  operations: PlannedOperation[];
}

async function check(
  c: Client,
  plan: Plan,
): Promise<{ ref: string; code: string; field: string | null; holders: unknown[] }[]> {
  const r = await c.post("/v1/plan-checks", plan);
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  return r.body.refusals;
}

const isDeletion = (p: PlannedOperation) => p.op === "user.delete" || p.op === "device.delete";

/** A planned operation staged into change set `h` through the API, as the provider stages it. */
async function stage(c: Client, p: PlannedOperation, h: Record<string, string>, real: (id: unknown) => string) {
  const { ref: _ref, op, id, replaced: _replaced, ...fields } = p;
  switch (op) {
    case "user.create":
      return c.post("/v1/users", { ...fields, licenceId: real(fields.licenceId) }, h);
    case "device.create":
      return c.post("/v1/devices", { ...fields, licenceId: real(fields.licenceId) }, h);
    case "user.update": {
      const patch = fields.patch as Record<string, unknown>;
      const body: Record<string, unknown> = { ...patch, ...(fields.callPlan ? { callPlan: fields.callPlan } : {}) };
      if (patch.licenceId) body.licenceId = real(patch.licenceId);
      return c.patch(`/v1/users/${real(id)}`, body, h);
    }
    case "device.update":
      return c.patch(
        `/v1/devices/${real(id)}`,
        { ...fields, ...(fields.licenceId ? { licenceId: real(fields.licenceId) } : {}) },
        h,
      );
    case "user.link":
      return c.post(`/v1/users/${real(id)}/devices`, { deviceId: real(fields.deviceId) }, h);
    case "user.unlink":
      return c.delete(`/v1/users/${real(id)}/devices/${real(fields.deviceId)}`, h);
    case "user.delete":
      return c.delete(`/v1/users/${real(id)}`, h);
    case "device.delete":
      return c.delete(`/v1/devices/${real(id)}`, h);
    default:
      throw new Error(`no such operation ${op}`);
  }
}

/**
 * The plan applied as the engine runs it: licences ordered, then each phase (deletions to be replaced;
 * creates, updates and links; the other deletions) staged into a change set of its own and applied.
 * Answers the problem code of the first refusal, or "applied".
 */
async function applyThroughChangeSet(c: Client, plan: Plan): Promise<string> {
  const ids = new Map<string, string>();
  const real = (id: unknown) => ids.get(String(id)) ?? String(id);
  for (const l of plan.licences ?? []) {
    const [id] = await order(c, [{ product: l.product, ...(l.callPlan ? { callPlan: l.callPlan } : {}) }]);
    ids.set(l.id, id!);
  }
  for (const id of plan.reinstated ?? []) {
    const live = await c.get(`/v1/subscriptions/${id}`);
    await c.post(`/v1/subscriptions/${id}/reinstate`, {}, { "if-match": `"${live.body.version}"` });
  }
  const phases = [
    plan.operations.filter((p) => isDeletion(p) && p.replaced === true),
    plan.operations.filter((p) => !isDeletion(p)),
    plan.operations.filter((p) => isDeletion(p) && p.replaced !== true),
  ];
  for (const phase of phases.filter((ops) => ops.length > 0)) {
    const cs = await c.post("/v1/change-sets", { description: "plan-check test" });
    const h = { "pbx-change-set": cs.body.id };
    for (const p of phase) {
      const r = await stage(c, p, h, real);
      if (r.status >= 400) {
        await c.delete(`/v1/change-sets/${cs.body.id}`);
        return r.body.code;
      }
      if (p.op.endsWith(".create")) ids.set(p.id, r.body.id);
    }
    const applied = await c.post(`/v1/change-sets/${cs.body.id}/apply`);
    if (applied.status !== 200) {
      await c.delete(`/v1/change-sets/${cs.body.id}`);
      return applied.body.code;
    }
  }
  return "applied";
}

async function user(c: Client, extension: string, extra: Record<string, unknown> = {}): Promise<string> {
  const [licence] = await order(c, [{ product: "user-licence", callPlan: "pay-as-you-go" }]);
  const r = await c.post("/v1/users", userBody(licence!, extension, extra));
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id;
}

async function device(c: Client, name = "Desk"): Promise<string> {
  const [licence] = await order(c, [{ product: "sip-device-licence" }]);
  const r = await c.post("/v1/devices", { name, licenceId: licence });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body.id;
}

async function link(c: Client, userId: string, deviceId: string): Promise<void> {
  expect((await c.post(`/v1/users/${userId}/devices`, { deviceId })).status).toBe(200);
}

const NEW_DEVICE_LICENCE = { id: "new:device/desk/licence", product: "sip-device-licence" };
const NEW_USER_LICENCE = { id: "new:user/john/licence", product: "user-licence", callPlan: "pay-as-you-go" };
const newUser = (extra: Record<string, unknown> = {}): PlannedOperation => ({
  ref: "user/john",
  op: "user.create",
  id: "new:user/john",
  name: "John Smith",
  extension: "201",
  licenceId: NEW_USER_LICENCE.id,
  areaPrefix: "020",
  outboundCallerId: NUMBERS[0],
  ...extra,
});
const newDevice = (licenceId: string): PlannedOperation => ({
  ref: "device/desk",
  op: "device.create",
  id: "new:device/desk",
  name: "Desk",
  licenceId,
});

/** A plan refused by one rule and its correction, against an account the setup prepares. */
interface RuleCase {
  setup(c: Client): Promise<Record<string, string>>;
  refused(f: Record<string, string>): Plan;
  corrected(f: Record<string, string>): Plan;
}

const ruleCases: Record<string, RuleCase> = {
  "not-found": {
    setup: async (c) => ({ user: await user(c, "301") }),
    refused: () => ({
      operations: [{ ref: "user/gone", op: "user.update", id: "usr_gone000000", patch: { name: "X" } }],
    }),
    corrected: (f) => ({ operations: [{ ref: "user/kept", op: "user.update", id: f.user!, patch: { name: "X" } }] }),
  },
  "licence-not-found": {
    setup: async () => ({}),
    refused: () => ({ operations: [newDevice("sub_nosuchlicence0")] }),
    corrected: () => ({ licences: [NEW_DEVICE_LICENCE], operations: [newDevice(NEW_DEVICE_LICENCE.id)] }),
  },
  "licence-wrong-product": {
    setup: async (c) => {
      const [userLicence, deviceLicence] = await order(c, [
        { product: "user-licence", callPlan: "pay-as-you-go" },
        { product: "sip-device-licence" },
      ]);
      return { userLicence: userLicence!, deviceLicence: deviceLicence! };
    },
    refused: (f) => ({ operations: [newDevice(f.userLicence!)] }),
    corrected: (f) => ({ operations: [newDevice(f.deviceLicence!)] }),
  },
  "licence-cancelled": {
    setup: async (c) => {
      const [cancelled] = await order(c, [{ product: "sip-device-licence" }]);
      await c.post(`/v1/subscriptions/${cancelled}/cancel`, { effective: "immediately", termsVersion: TERMS });
      return { cancelled: cancelled! };
    },
    refused: (f) => ({ operations: [newDevice(f.cancelled!)] }),
    corrected: () => ({ licences: [NEW_DEVICE_LICENCE], operations: [newDevice(NEW_DEVICE_LICENCE.id)] }),
  },
  "licence-cancellation-scheduled": {
    setup: async (c) => {
      const [scheduled] = await order(c, [{ product: "sip-device-licence" }]);
      await c.post(`/v1/subscriptions/${scheduled}/cancel`, { effective: "end-of-month", termsVersion: TERMS });
      return { scheduled: scheduled! };
    },
    refused: (f) => ({ operations: [newDevice(f.scheduled!)] }),
    corrected: () => ({ licences: [NEW_DEVICE_LICENCE], operations: [newDevice(NEW_DEVICE_LICENCE.id)] }),
  },
  "licence-held": {
    setup: async (c) => {
      const [held] = await order(c, [{ product: "sip-device-licence" }]);
      await c.post("/v1/devices", { name: "Reception", licenceId: held });
      return { held: held! };
    },
    refused: (f) => ({ operations: [newDevice(f.held!)] }),
    corrected: () => ({ licences: [NEW_DEVICE_LICENCE], operations: [newDevice(NEW_DEVICE_LICENCE.id)] }),
  },
  "call-plan-mismatch": {
    setup: async () => ({}),
    refused: () => ({ licences: [NEW_USER_LICENCE], operations: [newUser({ callPlan: "international" })] }),
    corrected: () => ({ licences: [NEW_USER_LICENCE], operations: [newUser({ callPlan: "pay-as-you-go" })] }),
  },
  "caller-id-not-owned": {
    setup: async () => ({}),
    refused: () => ({ licences: [NEW_USER_LICENCE], operations: [newUser({ outboundCallerId: "+442079469999" })] }),
    corrected: () => ({ licences: [NEW_USER_LICENCE], operations: [newUser({ outboundCallerId: NUMBERS[1] })] }),
  },
  "extension-taken": {
    // The user leaving the estate is deleted after the creates: its extension is still taken then.
    setup: async (c) => ({ leaving: await user(c, "201") }),
    refused: (f) => ({
      licences: [NEW_USER_LICENCE],
      operations: [{ ref: "user/leaving", op: "user.delete", id: f.leaving! }, newUser({ extension: "201" })],
    }),
    corrected: (f) => ({
      licences: [NEW_USER_LICENCE],
      operations: [{ ref: "user/leaving", op: "user.delete", id: f.leaving! }, newUser({ extension: "202" })],
    }),
  },
  "device-not-found": {
    setup: async (c) => ({ user: await user(c, "301"), device: await device(c) }),
    refused: (f) => ({ operations: [{ ref: "user/u", op: "user.link", id: f.user!, deviceId: "dev_nosuchdevice0" }] }),
    corrected: (f) => ({ operations: [{ ref: "user/u", op: "user.link", id: f.user!, deviceId: f.device! }] }),
  },
  "device-not-linked": {
    setup: async (c) => ({ user: await user(c, "301"), device: await device(c) }),
    refused: (f) => ({ operations: [{ ref: "user/u", op: "user.unlink", id: f.user!, deviceId: f.device! }] }),
    corrected: (f) => ({ operations: [{ ref: "user/u", op: "user.link", id: f.user!, deviceId: f.device! }] }),
  },
  "device-link-conflict": {
    setup: async (c) => {
      const [from, to, desk] = [await user(c, "301"), await user(c, "302"), await device(c)];
      await link(c, from, desk);
      return { from, to, desk };
    },
    refused: (f) => ({ operations: [{ ref: "user/to", op: "user.link", id: f.to!, deviceId: f.desk! }] }),
    corrected: (f) => ({
      operations: [
        { ref: "user/from", op: "user.unlink", id: f.from!, deviceId: f.desk! },
        { ref: "user/to", op: "user.link", id: f.to!, deviceId: f.desk! },
      ],
    }),
  },
  "too-many-devices": {
    setup: async (c) => {
      const owner = await user(c, "301");
      const linked: string[] = [];
      for (let i = 0; i < 20; i++) {
        const d = await device(c, `Phone ${i}`);
        await link(c, owner, d);
        linked.push(d);
      }
      return { owner, first: linked[0]!, extra: await device(c, "Phone 21") };
    },
    refused: (f) => ({ operations: [{ ref: "user/o", op: "user.link", id: f.owner!, deviceId: f.extra! }] }),
    corrected: (f) => ({
      operations: [
        { ref: "user/o", op: "user.unlink", id: f.owner!, deviceId: f.first! },
        { ref: "user/o", op: "user.link", id: f.owner!, deviceId: f.extra! },
      ],
    }),
  },
  "device-linked": {
    setup: async (c) => {
      const [owner, desk] = [await user(c, "301"), await device(c)];
      await link(c, owner, desk);
      return { owner, desk };
    },
    refused: (f) => ({ operations: [{ ref: "device/desk", op: "device.delete", id: f.desk! }] }),
    corrected: (f) => ({
      operations: [
        { ref: "device/desk", op: "device.delete", id: f.desk! },
        { ref: "user/o", op: "user.unlink", id: f.owner!, deviceId: f.desk! },
      ],
    }),
  },
};

describe("the backend's rule codes", () => {
  it("each has a plan-check case", () => {
    expect(Object.keys(RULE_CODES).filter((code) => !(code in ruleCases))).toEqual([]);
    expect(Object.keys(ruleCases).filter((code) => !(code in RULE_CODES))).toEqual([]);
  });
});

describeEachStore("plan checks", (store) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await start(store);
  });
  afterAll(async () => backend.stop());

  for (const [code, rule] of Object.entries(ruleCases))
    it(`${code}: the refused plan is refused by the apply; the corrected one applies`, async () => {
      const c = await newAccount(backend);
      const fixture = await rule.setup(c);
      const refused = rule.refused(fixture);
      expect((await check(c, refused)).map((r) => r.code)).toEqual([code]);
      expect(await applyThroughChangeSet(c, refused)).toBe(code);
      const corrected = rule.corrected(fixture);
      expect(await check(c, corrected)).toEqual([]);
      expect(await applyThroughChangeSet(c, corrected)).toBe("applied");
    });

  it("names the refused operation, its field and the live holder, and writes nothing", async () => {
    const c = await newAccount(backend);
    const leaving = await user(c, "201", { name: "John Smith" });
    const before = (await c.get("/v1/revisions")).body;
    const refusals = await check(c, {
      licences: [NEW_USER_LICENCE],
      operations: [{ ref: "user/leaving", op: "user.delete", id: leaving }, newUser({ extension: "201" })],
    });
    expect(refusals).toEqual([
      expect.objectContaining({
        ref: "user/john",
        op: "user.create",
        code: "extension-taken",
        field: "extension",
        holders: [{ kind: "user", id: leaving, name: "John Smith" }],
      }),
    ]);
    expect((await c.get("/v1/revisions")).body).toEqual(before);
    expect((await c.get("/v1/subscriptions")).body).toHaveLength(1);
  });

  it("answers every refusal, going on past a refused operation", async () => {
    const c = await newAccount(backend);
    await user(c, "201");
    const licences = [1, 2, 3].map((i) => ({ ...NEW_USER_LICENCE, id: `new:user/u${i}/licence` }));
    const refusals = await check(c, {
      licences,
      operations: [
        newUser({ ref: "user/u1", id: "new:user/u1", licenceId: licences[0]!.id, extension: "201" }),
        newUser({ ref: "user/u2", id: "new:user/u2", licenceId: licences[1]!.id, outboundCallerId: "+442079469999" }),
        newUser({ ref: "user/u3", id: "new:user/u3", licenceId: licences[2]!.id, extension: "203" }),
      ],
    });
    expect(refusals.map((r) => [r.ref, r.code, r.field])).toEqual([
      ["user/u2", "caller-id-not-owned", "outboundCallerId"],
      ["user/u1", "extension-taken", "extension"],
    ]);
  });

  it("lets a deletion marked replaced free an extension before the creates", async () => {
    const c = await newAccount(backend);
    const old = await user(c, "201");
    const plan = (replaced: boolean): Plan => ({
      licences: [NEW_USER_LICENCE],
      operations: [newUser({ extension: "201" }), { ref: "user/old", op: "user.delete", id: old, replaced }],
    });
    expect((await check(c, plan(false))).map((r) => r.code)).toEqual(["extension-taken"]);
    expect(await check(c, plan(true))).toEqual([]);
  });

  it("checks a licence the apply reinstates as active for the objects that take it", async () => {
    const c = await newAccount(backend);
    const [scheduled] = await order(c, [{ product: "sip-device-licence" }]);
    await c.post(`/v1/subscriptions/${scheduled}/cancel`, { effective: "end-of-month", termsVersion: TERMS });
    const plan: Plan = { reinstated: [scheduled!], operations: [newDevice(scheduled!)] };
    expect(await check(c, plan)).toEqual([]);
    expect(await applyThroughChangeSet(c, plan)).toBe("applied");
  });

  it("refuses a plan of the wrong shape with the fields at fault", async () => {
    const c = await newAccount(backend);
    const r = await c.post("/v1/plan-checks", { operations: [{ ref: "user/x", op: "user.explode", id: "x" }] });
    expect(r.status).toBe(422);
    expect(r.body.code).toBe("validation-failed");
  });
});
