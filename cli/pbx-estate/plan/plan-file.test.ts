import { describe, expect, it } from "vitest";
import type { ResolvedEstate } from "../../../schemas/estate.ts";
import type { EstatePlan } from "./model.ts";
import { estateDigest, PLAN_FILE_FORMAT, realityFingerprint, stalenessOf, type PlanFile } from "./plan-file.ts";
import type { EstateStep } from "./steps.ts";

const at = (file: string, line: number) => ({ file, line, column: 7 });

function estate(order: "as-written" | "moved"): ResolvedEstate {
  const devices = [
    { key: "desk", name: "Desk", location: at("a.yaml", 20) },
    { key: "soft", name: "Soft", location: at("a.yaml", 22) },
  ];
  return {
    name: "office",
    acceptTerms: "2025-01",
    location: at("a.yaml", 1),
    users: [
      {
        key: "john",
        name: "John",
        extension: "201",
        callPlan: "national-unlimited",
        areaPrefix: "020",
        outboundCallerId: "+442079460000",
        recording: { enabled: false },
        removal: "end-of-month",
        devices: order === "moved" ? [...devices].reverse().map((d) => ({ ...d, location: at("b.yaml", 9) })) : devices,
        location: { ...at(order === "moved" ? "b.yaml" : "a.yaml", 10), group: order === "moved" ? "site" : null },
      },
    ],
  };
}

const user = (version: number): EstateStep => ({
  urn: "urn:john",
  name: "user/john",
  kind: "user",
  key: "john",
  op: "same",
  old: { id: "usr_1", inputs: { name: "John" }, outputs: { name: "John", version, sipPassword: { ciphertext: "x" } } },
});

const plan = {
  estate: "office",
  stack: "office",
  licences: { orders: [], cancellations: [], callPlanChanges: [] },
} as unknown as EstatePlan;

function saved(steps: EstateStep[]): PlanFile {
  return {
    format: PLAN_FILE_FORMAT,
    createdAt: "2026-11-14T10:00:00Z",
    estate: "office",
    stack: "office",
    accountId: "acc_1",
    estateDigest: estateDigest(estate("as-written")),
    reality: realityFingerprint(steps),
    plan,
  };
}

describe("plan files", () => {
  it("digest an estate the same whatever file or order it is written in, and differently when a field changes", () => {
    expect(estateDigest(estate("moved"))).toBe(estateDigest(estate("as-written")));
    const renamed = estate("as-written");
    renamed.users[0]!.name = "Johnny";
    expect(estateDigest(renamed)).not.toBe(estateDigest(estate("as-written")));
  });

  it("hold while nothing moved, and name each object that moved since", () => {
    const file = saved([user(1)]);
    const now = { estate: "office", stack: "office", accountId: "acc_1", estateDigest: file.estateDigest, plan };
    expect(stalenessOf(file, { ...now, reality: realityFingerprint([user(1)]) })).toEqual([]);
    expect(stalenessOf(file, { ...now, reality: realityFingerprint([user(2)]) })).toEqual([
      "user/john changed since the plan was made (in the backend, or applied by another run)",
    ]);
    expect(stalenessOf(file, { ...now, reality: realityFingerprint([]) })).toEqual([
      "user/john is gone since the plan was made",
    ]);
    expect(stalenessOf(file, { ...now, accountId: "acc_2", reality: file.reality })).toEqual([
      "the plan was made for account acc_1; the token is for acc_2",
    ]);
  });

  it("ignore the date shown for an immediate cancellation, which is the day the plan runs", () => {
    const cancellation = {
      for: { kind: "user", key: "john" },
      product: "user-licence",
      callPlan: null,
      subscriptionId: "sub_1",
      removal: "immediately",
      takesEffectAt: null,
      monthlyPriceMinor: 800,
    };
    const withDay = (lastDay: string) =>
      ({
        ...plan,
        licences: { ...plan.licences, cancellations: [{ ...cancellation, lastDay }] },
      }) as unknown as EstatePlan;
    const file = { ...saved([user(1)]), plan: withDay("2026-11-14") };
    const now = {
      estate: "office",
      stack: "office",
      accountId: "acc_1",
      estateDigest: file.estateDigest,
      reality: file.reality,
    };
    expect(stalenessOf(file, { ...now, plan: withDay("2026-11-15") })).toEqual([]);
  });

  it("read a plan file written before reinstatements were listed as one that reinstates nothing", () => {
    const file = saved([user(1)]); // its plan has no `reinstatements`
    const now = {
      estate: "office",
      stack: "office",
      accountId: "acc_1",
      estateDigest: file.estateDigest,
      reality: file.reality,
    };
    const current = (reinstatements: unknown[]) =>
      ({ ...plan, licences: { ...plan.licences, reinstatements } }) as unknown as EstatePlan;
    expect(stalenessOf(file, { ...now, plan: current([]) })).toEqual([]);
    const reinstatement = {
      for: { kind: "device", key: "desk" },
      product: "sip-device-licence",
      callPlan: null,
      subscriptionId: "sub_1",
      lastDay: "2026-11-30",
      monthlyPriceMinor: 300,
    };
    expect(stalenessOf(file, { ...now, plan: current([reinstatement]) })).toEqual([
      "planning again gives different changes than the plan file holds",
    ]);
  });
});

describe("plan files that claim licences pending cancellation", () => {
  const claim = (subscriptionId: string) => ({
    for: { kind: "user", key: "john" },
    product: "user-licence",
    callPlan: "national-unlimited",
    subscriptionId,
    lastDay: "2026-11-30",
    monthlyPriceMinor: 1300,
  });
  const claiming = (claims: unknown[]) =>
    ({ ...plan, licences: { ...plan.licences, reinstatements: [], claims } }) as unknown as EstatePlan;
  const file = { ...saved([user(1)]), plan: claiming([claim("sub_pending")]) };
  const now = {
    estate: "office",
    stack: "office",
    accountId: "acc_1",
    estateDigest: file.estateDigest,
    reality: file.reality,
  };

  it("hold while planning again claims the same licence for the same holder", () => {
    expect(stalenessOf(file, { ...now, plan: claiming([claim("sub_pending")]) })).toEqual([]);
  });

  it("are refused, naming the licence, once it is no longer there to claim or another one is claimed", () => {
    const gone = [
      "licence sub_pending, pending cancellation when the plan was made, is no longer the one user john reinstates instead of ordering",
      "planning again gives different changes than the plan file holds",
    ];
    expect(stalenessOf(file, { ...now, plan: claiming([]) })).toEqual(gone);
    expect(stalenessOf(file, { ...now, plan: claiming([claim("sub_other")]) })).toEqual(gone);
  });

  it("read a plan file written before claims were listed as one that claims nothing", () => {
    const old = saved([user(1)]); // its plan has no `claims`
    expect(stalenessOf(old, { ...now, plan: claiming([]) })).toEqual([]);
    expect(stalenessOf(old, { ...now, plan: claiming([claim("sub_pending")]) })).toEqual([
      "planning again gives different changes than the plan file holds",
    ]);
  });
});
