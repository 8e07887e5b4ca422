/**
 * Bad input is refused in preview, before any API call: each failure names the resource, the field and the
 * rule, and nothing is created in the backend.
 */
import { describe, expect, it } from "vitest";
import { PbxUser, ServiceSubscription, SipDevice } from "../../sdk/index.ts";
import { EngineRunError } from "../engine/harness.ts";
import { estateEngine, NUMBERS, startTestBackend, TERMS } from "./harness.ts";

const licenceId = "sub_aaaaaaaaaaaaaaaaaaaa";
const user = { name: "John", extension: "201", licenceId, areaPrefix: "020", outboundCallerId: NUMBERS[0]! };

// [resource name, the field the failure must name, the program that declares it]
type Case = [string, string, () => void];
// Deliberately wrong values are the point of this table; types are bypassed where the SDK would refuse them.
const bad = <T>(v: unknown) => v as T;
const cases: Case[] = [
  [
    "sub-no-plan",
    "callPlan",
    () => new ServiceSubscription("sub-no-plan", { product: "user-licence", termsVersion: TERMS }),
  ],
  [
    "sub-plan-on-device",
    "callPlan",
    () =>
      new ServiceSubscription("sub-plan-on-device", {
        product: "sip-device-licence",
        callPlan: "international",
        termsVersion: TERMS,
      }),
  ],
  [
    "sub-product",
    "product",
    () => new ServiceSubscription("sub-product", { product: bad("fax-licence"), termsVersion: TERMS }),
  ],
  [
    "sub-plan",
    "callPlan",
    () =>
      new ServiceSubscription("sub-plan", { product: "user-licence", callPlan: bad("galactic"), termsVersion: TERMS }),
  ],
  [
    "sub-terms",
    "termsVersion",
    () => new ServiceSubscription("sub-terms", { product: "sip-device-licence", termsVersion: "" }),
  ],
  [
    "sub-removal",
    "removal",
    () =>
      new ServiceSubscription("sub-removal", {
        product: "sip-device-licence",
        termsVersion: TERMS,
        removal: bad("next-year"),
      }),
  ],
  [
    "sub-claim",
    "claimPending",
    () =>
      new ServiceSubscription("sub-claim", {
        product: "sip-device-licence",
        termsVersion: TERMS,
        claimPending: bad("yes"),
      }),
  ],
  [
    "sub-adopt",
    "adopt",
    () =>
      new ServiceSubscription("sub-adopt", { product: "sip-device-licence", termsVersion: TERMS, adopt: "not an id" }),
  ],
  ["dev-name", "name", () => new SipDevice("dev-name", { name: "", licenceId })],
  ["dev-long-name", "name", () => new SipDevice("dev-long-name", { name: "x".repeat(101), licenceId })],
  ["dev-licence", "licenceId", () => new SipDevice("dev-licence", { name: "Desk", licenceId: "licence-1" })],
  ["dev-rotation", "rotation", () => new SipDevice("dev-rotation", { name: "Desk", licenceId, rotation: bad(42) })],
  ["user-ext-short", "extension", () => new PbxUser("user-ext-short", { ...user, extension: "1" })],
  ["user-ext-long", "extension", () => new PbxUser("user-ext-long", { ...user, extension: "123456" })],
  ["user-ext-letters", "extension", () => new PbxUser("user-ext-letters", { ...user, extension: "20a" })],
  ["user-name", "name", () => new PbxUser("user-name", { ...user, name: "  " })],
  [
    "user-caller-id",
    "outboundCallerId",
    () => new PbxUser("user-caller-id", { ...user, outboundCallerId: "02079460000" }),
  ],
  ["user-area", "areaPrefix", () => new PbxUser("user-area", { ...user, areaPrefix: "020-" })],
  ["user-plan", "callPlan", () => new PbxUser("user-plan", { ...user, callPlan: bad("unlimited-everything") })],
  [
    "user-rec-email",
    "recording.email",
    () => new PbxUser("user-rec-email", { ...user, recording: { enabled: true, subject: "calls" } }),
  ],
  [
    "user-rec-subject",
    "recording.subject",
    () => new PbxUser("user-rec-subject", { ...user, recording: { enabled: true, email: "rec@acme.example" } }),
  ],
  [
    "user-rec-bad-email",
    "recording.email",
    () =>
      new PbxUser("user-rec-bad-email", { ...user, recording: { enabled: true, email: "not-an-email", subject: "x" } }),
  ],
  [
    "user-devices-dup",
    "deviceIds",
    () =>
      new PbxUser("user-devices-dup", { ...user, deviceIds: ["dev_aaaaaaaaaaaaaaaaaaaa", "dev_aaaaaaaaaaaaaaaaaaaa"] }),
  ],
  ["user-device-id", "deviceIds.0", () => new PbxUser("user-device-id", { ...user, deviceIds: ["phone-1"] })],
  ["user-licence", "licenceId", () => new PbxUser("user-licence", { ...user, licenceId: "" })],
  ["user-area-zero", "areaPrefix", () => new PbxUser("user-area-zero", { ...user, areaPrefix: "0" })],
  [
    "user-21-devices",
    "deviceIds",
    () =>
      new PbxUser("user-21-devices", {
        ...user,
        deviceIds: Array.from({ length: 21 }, (_, i) => `dev_${String(i).padStart(20, "a")}`),
      }),
  ],
  ["dev-name-nul", "name", () => new SipDevice("dev-name-nul", { name: "Desk\u0000", licenceId })],
  ["dev-name-bidi", "name", () => new SipDevice("dev-name-bidi", { name: "Desk \u202Eenohp", licenceId })],
  [
    "user-name-escape",
    "name",
    () => new PbxUser("user-name-escape", { ...user, name: "\u001b[2J\u001b]0;pwned\u0007" }),
  ],
  ["user-name-surrogate", "name", () => new PbxUser("user-name-surrogate", { ...user, name: "John\uD800" })],
  [
    "user-rec-subject-break",
    "recording.subject",
    () =>
      new PbxUser("user-rec-subject-break", {
        ...user,
        recording: { enabled: true, email: "rec@acme.example", subject: "Calls\r\nBcc: x@example.com" },
      }),
  ],
  [
    "sub-terms-nul",
    "termsVersion",
    () => new ServiceSubscription("sub-terms-nul", { product: "sip-device-licence", termsVersion: "2025-01\u0000" }),
  ],
];

describe("bad input", () => {
  it(`refuses ${cases.length} bad inputs in preview, naming the field and the rule, with nothing created`, async () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
    await using backend = await startTestBackend();
    let current: Case = cases[0]!;
    await using engine = await estateEngine(backend, async () => {
      current[2]();
    });
    // The engine stops a preview at its first failed check, so each bad input gets a preview of its own.
    for (const c of cases) {
      current = c;
      const [name, field] = c;
      const preview = await engine.preview().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(preview, `${name} should fail`).toBeInstanceOf(EngineRunError);
      const output = (preview as EngineRunError).run.output;
      // A check's failure is reported under the resource; text the engine cannot carry is refused by the program.
      const failure = new RegExp(
        `(\\(${name}\\):\\s*\\n\\s*error: |pbx:\\w+ ${name}: )[^\\n]*${field.replace(".", "\\.")}: [^\\n]*\\[rule: [\\w-]+\\]`,
      );
      expect(output, `${name} should fail naming ${field}`).toMatch(failure);
    }
    for (const path of ["/v1/subscriptions", "/v1/devices", "/v1/users", "/v1/orders"]) {
      expect((await backend.call<unknown[]>("GET", path)).body, path).toEqual([]);
    }
  }, 600_000);
});
