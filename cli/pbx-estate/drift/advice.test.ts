/** Advice wording that the end-to-end test (test/cli/drift-advice.test.ts) cannot reach through estate files. */
import { describe, expect, it } from "vitest";
import { catalogue } from "../../../backend/catalogue/service.ts";
import type { EstateStep } from "../plan/steps.ts";
import { driftAdvice } from "./advice.ts";
import { driftOf } from "./report.ts";

const context = { catalogue, timeZone: "Europe/London" };

const userLicence = (
  key: string,
  inputs: Record<string, unknown>,
  live: Record<string, unknown> | undefined,
): EstateStep => ({
  urn: `urn:${key}`,
  name: `user/${key}/licence`,
  kind: "user-licence",
  key,
  op: live ? "update" : "delete",
  old: { id: `sub_${key}`, inputs, outputs: { ...inputs, status: "active", priceMinor: 2300, currency: "GBP" } },
  ...(live ? { new: { id: `sub_${key}`, inputs, outputs: live } } : {}),
});

describe("drift advice", () => {
  it("orders a licence cancelled outside without a claim when the licence never claims", () => {
    const steps = [
      userLicence("ann", { product: "user-licence", callPlan: "international", claimPending: false }, undefined),
    ];
    expect(driftAdvice(driftOf(steps), steps, context)).toEqual([
      "orders a new user licence (international) for user ann at the catalogue's GBP 23.00 a month",
    ]);
  });

  it("prices a call plan set back to a cheaper one as a saving", () => {
    const declared = { product: "user-licence", callPlan: "pay-as-you-go" };
    const steps = [
      userLicence("bob", declared, {
        ...declared,
        callPlan: "international",
        status: "active",
        priceMinor: 2300,
        currency: "GBP",
      }),
    ];
    expect(driftAdvice(driftOf(steps), steps, context)).toEqual([
      "changes the call plan of user bob's licence back from international to pay-as-you-go: GBP 23.00 → GBP 8.00 a month (-GBP 15.00)",
    ]);
  });

  it("has nothing to say without drift", () => {
    const declared = { product: "user-licence", callPlan: "international" };
    const steps = [userLicence("cy", declared, { ...declared, status: "active", priceMinor: 2300, currency: "GBP" })];
    expect(driftAdvice(driftOf(steps), steps, context)).toEqual([]);
  });
});
