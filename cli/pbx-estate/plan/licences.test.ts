import { describe, expect, it } from "vitest";
import { catalogue } from "../../../backend/catalogue/service.ts";
import { pendingLicencesOf } from "../../../provider/contract.ts";
import type { ResolvedEstate } from "../../../schemas/estate.ts";
import type { Subscription, SubscriptionQuery } from "../../../schemas/subscription.ts";
import { plannedClaims, predictClaims } from "./claims.ts";
import { cancellationTiming, licenceChanges, monthlyPriceMinor } from "./licences.ts";
import type { LicenceClaim } from "./model.ts";
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

describe("licences pending cancellation that new licences claim", () => {
  const at = { file: "estate.yaml", line: 1, column: 1 };
  /** Users declared in this order, each with the devices named. */
  const estate = (users: [string, string, string[]][]): ResolvedEstate => ({
    name: "office",
    acceptTerms: "2025-01",
    location: at,
    users: users.map(([key, callPlan, devices], i) => ({
      key,
      name: key,
      extension: String(200 + i),
      callPlan: callPlan as "national-unlimited",
      areaPrefix: "020",
      outboundCallerId: "+442079460000",
      recording: { enabled: false },
      removal: "end-of-month",
      devices: devices.map((d) => ({ key: d, name: d, location: at })),
      location: { ...at, group: null },
    })),
  });
  const created = (
    kind: "user-licence" | "device-licence",
    key: string,
    inputs: Record<string, unknown>,
  ): EstateStep => ({
    urn: `urn:${kind}:${key}`,
    name: `${kind === "user-licence" ? "user" : "device"}/${key}/licence`,
    kind,
    key,
    op: "create",
    new: { id: "", inputs: { clientReference: `pbx:0123abcd:${key}-licence.0123`, ...inputs }, outputs: {} },
  });
  const userLicence = (key: string, callPlan: string, extra: Record<string, unknown> = {}) =>
    created("user-licence", key, { product: "user-licence", callPlan, ...extra });
  const deviceLicence = (key: string) => created("device-licence", key, { product: "sip-device-licence" });
  const pending = (id: string, product: string, callPlan: string | null, priceMinor: number): Subscription => ({
    id,
    version: 3,
    orderId: "ord_1",
    clientReference: null,
    product: product as Subscription["product"],
    callPlan: callPlan as Subscription["callPlan"],
    status: "cancellation-scheduled",
    monthlyPrice: { amountMinor: priceMinor, currency: "GBP" },
    holder: null,
    createdAt: "2026-01-01T00:00:00.000Z",
    cancellationEffectiveAt: "2026-12-01T00:00:00.000Z",
    cancelledAt: null,
  });
  /** A fake of the backend's licence listing: answers the query from `pending`, oldest first, and records it. */
  const fakeListing = (listed: Subscription[]) => {
    const queries: SubscriptionQuery[] = [];
    const api = {
      subscriptions: (query: SubscriptionQuery) => {
        queries.push(query);
        return Promise.resolve(
          listed.filter(
            (s) =>
              s.status === query.status &&
              s.product === query.product &&
              (query.callPlan === undefined || s.callPlan === query.callPlan),
          ),
        );
      },
    };
    return { candidates: pendingLicencesOf(api), queries };
  };
  const claimOf = (key: string, kind: "user" | "device", s: Subscription): LicenceClaim => ({
    for: { kind, key },
    product: s.product,
    callPlan: s.callPlan,
    subscriptionId: s.id,
    lastDay: "2026-11-30",
    monthlyPriceMinor: s.monthlyPrice.amountMinor,
  });

  it("gives each new licence the next candidate of its product and call plan, in the estate's order, oldest first", async () => {
    const older = pending("sub_older", "user-licence", "national-unlimited", 1300);
    const newer = pending("sub_newer", "user-licence", "national-unlimited", 1300);
    const phone = pending("sub_phone", "sip-device-licence", null, 300);
    const international = pending("sub_intl", "user-licence", "international", 2300);
    const { candidates, queries } = fakeListing([older, phone, international, newer]);
    // Declared zoe, then amy (with a desk phone), then bob: steps arrive sorted otherwise.
    const claims = await predictClaims(
      [
        userLicence("amy", "national-unlimited"),
        userLicence("bob", "national-unlimited"),
        deviceLicence("amy-desk"),
        userLicence("zoe", "national-unlimited"),
        userLicence("max", "pay-as-you-go"),
      ],
      {
        estate: estate([
          ["zoe", "national-unlimited", []],
          ["amy", "national-unlimited", ["amy-desk"]],
          ["bob", "national-unlimited", []],
          ["max", "pay-as-you-go", []],
        ]),
        candidates,
        madeByStack: [],
        timeZone: "Europe/London",
      },
    );
    expect(claims).toEqual([
      claimOf("zoe", "user", older),
      claimOf("amy", "user", newer),
      claimOf("amy-desk", "device", phone),
    ]);
    // One listing per product and call plan, as the provider lists them; bob and max order.
    expect(queries).toEqual([
      { product: "user-licence", status: "cancellation-scheduled", callPlan: "national-unlimited" },
      { product: "sip-device-licence", status: "cancellation-scheduled" },
      { product: "user-licence", status: "cancellation-scheduled", callPlan: "pay-as-you-go" },
    ]);
  });

  it("claims nothing for a licence taken over by `adopt`, one an earlier run made, or one with claimPending false", async () => {
    const { candidates, queries } = fakeListing([pending("sub_spare", "user-licence", "national-unlimited", 1300)]);
    const reference = "pbx:0123abcd:kim-licence.0123";
    const madeByStack = [
      {
        ...pending("sub_made", "user-licence", "national-unlimited", 1300),
        status: "active" as const,
        clientReference: reference,
      },
    ];
    const claims = await predictClaims(
      [
        userLicence("ann", "national-unlimited", { adopt: "sub_handmade" }),
        userLicence("kim", "national-unlimited", { clientReference: reference }),
        userLicence("lee", "national-unlimited", { claimPending: false }),
      ],
      {
        estate: estate([
          ["ann", "national-unlimited", []],
          ["kim", "national-unlimited", []],
          ["lee", "national-unlimited", []],
        ]),
        candidates,
        madeByStack,
        timeZone: "Europe/London",
      },
    );
    expect(claims).toEqual([]);
    expect(queries).toEqual([]);
  });

  it("never claims a licence the stack keeps, even pending cancellation, and tells the apply what each create claims", async () => {
    // kim's licence was cancelled in the portal: kim's own resource reinstates it, so a new user must not take it.
    const kims = pending("sub_kim", "user-licence", "national-unlimited", 1300);
    const spare = pending("sub_spare", "user-licence", "national-unlimited", 1300);
    const { candidates } = fakeListing([kims, spare]);
    const kept = licence(
      "kim",
      "update",
      { ...kims, removal: "end-of-month" },
      { ...kims, clientReference: "pbx:0123abcd:kim" },
    );
    const steps = [
      kept,
      userLicence("ann", "national-unlimited", { clientReference: "pbx:0123abcd:ann" }),
      userLicence("bob", "national-unlimited", { clientReference: "pbx:0123abcd:bob" }),
    ];
    const claims = await predictClaims(steps, {
      estate: estate([
        ["kim", "national-unlimited", []],
        ["ann", "national-unlimited", []],
        ["bob", "national-unlimited", []],
      ]),
      candidates,
      madeByStack: [],
      timeZone: "Europe/London",
    });
    expect(claims).toEqual([claimOf("ann", "user", spare)]);
    expect(plannedClaims(steps, claims, [])).toEqual(
      new Map([
        ["pbx:0123abcd:ann", "sub_spare"],
        ["pbx:0123abcd:bob", null],
      ]),
    );
  });

  it("plans a claimed licence as reinstated, not ordered: outside today's cost, its price added after", () => {
    const spare = pending("sub_spare", "user-licence", "national-unlimited", 1300);
    const changes = licenceChanges(
      [
        licence("new", "create", undefined, { product: "user-licence", callPlan: "national-unlimited" }),
        licence("other", "create", undefined, { product: "user-licence", callPlan: "national-unlimited" }),
      ],
      {
        catalogue,
        timeZone: "Europe/London",
        now: new Date("2026-11-14T10:00:00Z"),
        claims: [claimOf("new", "user", spare)],
      },
    );
    expect(changes.claims).toEqual([claimOf("new", "user", spare)]);
    expect(changes.orders.map((o) => o.for.key)).toEqual(["other"]);
    expect(changes.callPlanChanges).toEqual([]);
    expect(changes.cost).toEqual({
      currency: "GBP",
      currentMonthlyMinor: 0,
      monthlyDeltaMinor: 1300 + 1300,
      newMonthlyMinor: 2600,
    });
  });
});
