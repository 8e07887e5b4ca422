import { describe, expect, it } from "vitest";
import { catalogue } from "../../../backend/catalogue/service.ts";
import { cancellationTiming, licenceChanges, monthlyPriceMinor } from "./licences.ts";
import type { EstateStep } from "./steps.ts";

describe("cancellation timing", () => {
  it("ends at the first instant of next month in the account's time zone, winter and summer", () => {
    expect(cancellationTiming("end-of-month", "Europe/London", new Date("2026-11-14T10:00:00Z"))).toEqual({
      at: "2026-12-01T00:00:00.000Z",
      lastDay: "2026-11-30",
    });
    expect(cancellationTiming("end-of-month", "Europe/London", new Date("2026-07-10T10:00:00Z"))).toEqual({
      at: "2026-07-31T23:00:00.000Z",
      lastDay: "2026-07-31",
    });
  });

  it("uses the account's calendar, not UTC's, near a month's edge", () => {
    // 12:00 UTC on 30 November is already 1 December in Auckland: the licence runs to the end of December.
    expect(cancellationTiming("end-of-month", "Pacific/Auckland", new Date("2026-11-30T12:00:00Z"))).toEqual({
      at: "2026-12-31T11:00:00.000Z",
      lastDay: "2026-12-31",
    });
  });

  it("has no instant for an immediate removal, and today's local date", () => {
    expect(cancellationTiming("immediately", "Pacific/Auckland", new Date("2026-11-30T12:00:00Z"))).toEqual({
      at: null,
      lastDay: "2026-12-01",
    });
  });
});

const licence = (
  key: string,
  op: EstateStep["op"],
  before?: Record<string, unknown>,
  after?: Record<string, unknown>,
): EstateStep => ({
  urn: `urn:${key}`,
  name: `user/${key}/licence`,
  kind: "user-licence",
  key,
  op,
  ...(before ? { old: { id: `sub_${key}`, inputs: { removal: "end-of-month", ...before }, outputs: before } } : {}),
  ...(after ? { new: { id: "", inputs: after, outputs: after } } : {}),
});

describe("licence changes and cost", () => {
  it("prices a licence as its product plus its call plan, and a SIP-device licence without one", () => {
    expect(monthlyPriceMinor(catalogue, "user-licence", "international")).toBe(2300);
    expect(monthlyPriceMinor(catalogue, "user-licence", "pay-as-you-go")).toBe(800);
    expect(monthlyPriceMinor(catalogue, "sip-device-licence", "international")).toBe(300);
  });

  it("adds orders, subtracts active cancellations and prices call-plan changes against the live price", () => {
    const active = (callPlan: string, priceMinor: number) => ({
      product: "user-licence",
      callPlan,
      status: "active",
      priceMinor,
      cancellationEffectiveAt: null,
    });
    const changes = licenceChanges(
      [
        licence("new", "create", undefined, { product: "user-licence", callPlan: "national-unlimited" }),
        licence("gone", "delete", active("international", 2300)),
        licence("leaving", "delete", {
          ...active("pay-as-you-go", 800),
          status: "cancellation-scheduled",
          cancellationEffectiveAt: "2026-12-01T00:00:00.000Z",
        }),
        licence("upgraded", "update", active("pay-as-you-go", 800), {
          product: "user-licence",
          callPlan: "international",
        }),
        licence("same", "same", active("national-unlimited", 1300), {
          product: "user-licence",
          callPlan: "national-unlimited",
        }),
      ],
      { catalogue, timeZone: "Europe/London", now: new Date("2026-11-14T10:00:00Z") },
    );
    expect(changes.orders.map((o) => [o.for.key, o.monthlyPriceMinor])).toEqual([["new", 1300]]);
    expect(changes.cancellations.map((c) => [c.for.key, c.monthlyPriceMinor, c.takesEffectAt, c.lastDay])).toEqual([
      ["gone", 2300, "2026-12-01T00:00:00.000Z", "2026-11-30"],
      ["leaving", 0, "2026-12-01T00:00:00.000Z", "2026-11-30"],
    ]);
    expect(changes.callPlanChanges).toEqual([
      { user: "upgraded", from: "pay-as-you-go", to: "international", monthlyDeltaMinor: 1500 },
    ]);
    expect(changes.cost).toEqual({
      currency: "GBP",
      currentMonthlyMinor: 2300 + 800 + 1300,
      monthlyDeltaMinor: 1300 - 2300 + 1500,
      newMonthlyMinor: 4400 + 500,
    });
    expect(changes.reinstatements).toEqual([]);
  });

  it("counts a licence scheduled for cancellation in the portal again when the apply reinstates it, at its new call plan's price", () => {
    const scheduled = (callPlan: string, priceMinor: number) => ({
      product: "user-licence",
      callPlan,
      status: "cancellation-scheduled",
      priceMinor,
      cancellationEffectiveAt: "2026-12-01T00:00:00.000Z",
    });
    const changes = licenceChanges(
      [
        licence("kept", "update", scheduled("national-unlimited", 1300), {
          product: "user-licence",
          callPlan: "national-unlimited",
        }),
        licence("kept-upgraded", "update", scheduled("pay-as-you-go", 800), {
          product: "user-licence",
          callPlan: "international",
        }),
      ],
      { catalogue, timeZone: "Europe/London", now: new Date("2026-11-14T10:00:00Z") },
    );
    expect(changes.reinstatements).toEqual([
      {
        for: { kind: "user", key: "kept" },
        product: "user-licence",
        callPlan: "national-unlimited",
        subscriptionId: "sub_kept",
        lastDay: "2026-11-30",
        monthlyPriceMinor: 1300,
      },
      {
        for: { kind: "user", key: "kept-upgraded" },
        product: "user-licence",
        callPlan: "pay-as-you-go",
        subscriptionId: "sub_kept-upgraded",
        lastDay: "2026-11-30",
        monthlyPriceMinor: 800,
      },
    ]);
    expect(changes.callPlanChanges).toEqual([
      { user: "kept-upgraded", from: "pay-as-you-go", to: "international", monthlyDeltaMinor: 1500 },
    ]);
    expect(changes.cost).toEqual({
      currency: "GBP",
      currentMonthlyMinor: 0,
      monthlyDeltaMinor: 1300 + 2300,
      newMonthlyMinor: 3600,
    });
  });
});

describe("licences an earlier run made", () => {
  const reference = "pbx:0123abcd:user-john-licence.0123456789abcdef0123";
  const made = (
    id: string,
    clientReference: string,
    status: "active" | "cancellation-scheduled",
    callPlan = "pay-as-you-go",
  ) => ({
    id,
    product: "user-licence",
    callPlan,
    status,
    clientReference,
    monthlyPrice: { amountMinor: monthlyPriceMinor(catalogue, "user-licence", callPlan), currency: "GBP" },
  });
  const context = (madeByStack: unknown[]) => ({
    catalogue,
    timeZone: "Europe/London",
    now: new Date("2026-11-14T10:00:00Z"),
    madeByStack: madeByStack as NonNullable<Parameters<typeof licenceChanges>[1]["madeByStack"]>,
  });
  const create = licence("john", "create", undefined, {
    product: "user-licence",
    callPlan: "international",
    clientReference: reference,
  });

  it("takes over the live one carrying the create's reference: billed now, re-priced to the declared call plan", () => {
    const changes = licenceChanges([create], context([made("sub_1", reference, "active")]));
    expect(changes.orders).toEqual([]);
    expect(changes.adoptions).toEqual([
      {
        for: { kind: "user", key: "john" },
        product: "user-licence",
        callPlan: "pay-as-you-go",
        subscriptionId: "sub_1",
        monthlyPriceMinor: 800,
      },
    ]);
    expect(changes.callPlanChanges).toEqual([
      { user: "john", from: "pay-as-you-go", to: "international", monthlyDeltaMinor: 1500 },
    ]);
    expect(changes.cost).toMatchObject({ currentMonthlyMinor: 800, monthlyDeltaMinor: 1500, newMonthlyMinor: 2300 });
  });

  it("orders when what carries the reference is pending cancellation, or carries another resource's reference", () => {
    const changes = licenceChanges(
      [create],
      context([
        made("sub_1", reference, "cancellation-scheduled"),
        made("sub_2", `${reference.slice(0, -1)}9`, "active"),
      ]),
    );
    expect(changes.adoptions).toEqual([]);
    expect(changes.orders.map((o) => o.for.key)).toEqual(["john"]);
    expect(changes.cost).toMatchObject({ currentMonthlyMinor: 0, monthlyDeltaMinor: 2300 });
  });
});
