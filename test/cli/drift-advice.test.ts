/**
 * Every piece of advice `drift` gives, followed literally. Each kind of portal change is made out of band,
 * `drift` exits 2 and says what `apply` with the same files does about it (and at what cost); then `apply`
 * runs, the test checks that it did exactly that, and `drift` exits 0. The kinds: a SIP password rotated
 * (rotated again, the new one recorded: first alone, where apply used to see no change at all), fields
 * changed (set back), a call plan changed (changed back, priced), a device deleted (made again, new
 * credentials), a licence scheduled for cancellation (that licence reinstated, nothing ordered, counted in
 * the cost), a user deleted (made again), and a licence cancelled at once (a new one ordered at the
 * catalogue's price, or an identical licence pending cancellation claimed instead: both branches).
 */
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { passwordFingerprint } from "../../backend/ids.ts";
import type { DriftReport } from "../../cli/pbx-estate/drift/report.ts";
import type { Device, DeviceWithPassword } from "../../schemas/device.ts";
import type { Subscription } from "../../schemas/subscription.ts";
import type { User } from "../../schemas/user.ts";
import { NUMBERS, startTestBackend, TERMS, type TestBackend } from "../provider/harness.ts";
import { cliProject, described, json, statePasswords, type CliResult } from "./harness.ts";

/** The last day a cancellation lets a licence run, in the account's time zone. */
function lastDay(effectiveAt: string): string {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone: "Europe/London",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(new Date(Date.parse(effectiveAt) - 1));
}

async function ok<T>(backend: TestBackend, method: string, path: string, body?: unknown): Promise<T> {
  const r = await backend.call<T>(method, path, body);
  expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
  return r.body;
}

const live = {
  users: (b: TestBackend) => ok<User[]>(b, "GET", "/v1/users"),
  devices: (b: TestBackend) => ok<Device[]>(b, "GET", "/v1/devices"),
  licence: (b: TestBackend, id: string) => ok<Subscription>(b, "GET", `/v1/subscriptions/${id}`),
  orders: async (b: TestBackend) => (await ok<unknown[]>(b, "GET", "/v1/orders")).length,
  monthlyCost: async (b: TestBackend) =>
    (await ok<Subscription[]>(b, "GET", "/v1/subscriptions?status=active")).reduce(
      (sum, s) => sum + s.monthlyPrice.amountMinor,
      0,
    ),
};

const PASSWORD_ADVICE =
  "rotates the SIP password of device john-desk-phone again and records the new one in the state, encrypted: its handset must then register with the new one";

/** The advice block of a text report: the lines between what to run and what drift then finds. */
function adviceLines(stdout: string): string[] {
  const lines = stdout.split("\n");
  const start = lines.indexOf("`pbx-estate apply` with the same files puts it right; it:") + 1;
  const end = lines.indexOf("Then `pbx-estate drift` finds every object in sync.", start);
  expect(start > 0 && end > start, stdout).toBe(true);
  return lines.slice(start, end).filter((l) => l !== "");
}

describe("drift advice, followed", () => {
  it("every advice line: drift 2 says what apply does → apply does exactly that → drift 0", async () => {
    // The backend's clock is today's, as the CLI's is, so both agree on which month a cancellation ends.
    await using backend = await startTestBackend({ clockStart: new Date().toISOString() });
    await using project = cliProject(backend);
    const estate = project.example("small-office");
    // Ann (no devices) too, so that two user licences can be cancelled outside, one of them with an
    // identical licence pending cancellation in the account to claim.
    appendFileSync(
      join(estate, "estate.yaml"),
      `    - key: ann\n      name: Ann Lee\n      extension: "202"\n      callPlan: national-unlimited\n      outboundCallerId: "${NUMBERS[2]}"\n`,
    );
    const outputs: string[] = [];
    const run = async (...args: string[]): Promise<CliResult> => {
      const result = await project.run(args);
      outputs.push(result.stdout, result.stderr);
      return result;
    };
    const first = await run("apply", estate);
    expect(first.code, described(first)).toBe(0);
    const firstPasswords = await statePasswords(project, "small-office");

    const users = await live.users(backend);
    const [john, priya, ann] = ["201", "200", "202"].map((extension) => users.find((u) => u.extension === extension)!);
    const devices = await live.devices(backend);
    const [desk, soft, reception] = ["John's Desk Phone", "John's Softphone", "Reception Phone"].map((name) =>
      devices.find((d) => d.name === name)!,
    );

    // 1. Only a SIP password rotated in the portal: apply used to plan no change at all, and drift stayed 2.
    const portalPassword = (await ok<DeviceWithPassword>(backend, "POST", `/v1/devices/${desk!.id}/rotate-password`))
      .sipPassword;
    const rotated = await run("drift", estate);
    expect(rotated.code, described(rotated)).toBe(2);
    expect(rotated.stdout).toContain(
      "Drift: 1 object changed outside pbx-estate\n  device john-desk-phone (John's Desk Phone): changed\n" +
        "      password: declared set by pbx-estate, live rotated outside pbx-estate\n",
    );
    expect(adviceLines(rotated.stdout)).toEqual([`  - ${PASSWORD_ADVICE}`]);
    const rotatedAgain = await run("apply", estate);
    expect(rotatedAgain.code, described(rotatedAgain)).toBe(0);
    expect(rotatedAgain.stdout).toContain(
      "  ~ john-desk-phone  John's Desk Phone  (user john)\n      password: rotated outside pbx-estate → set by pbx-estate   (changed outside pbx-estate)",
    );
    const deskNow = (await live.devices(backend)).find((d) => d.id === desk!.id)!;
    expect(deskNow.sipUsername).toBe(desk!.sipUsername);
    expect([desk!.passwordFingerprint, passwordFingerprint(portalPassword)]).not.toContain(deskNow.passwordFingerprint);
    expect((await statePasswords(project, "small-office")).map(passwordFingerprint)).toContain(
      deskNow.passwordFingerprint,
    );
    const inSync = await run("drift", estate);
    expect(inSync.code, described(inSync)).toBe(0);
    expect(inSync.stdout).toContain("In sync");

    // 2. Everything else at once, in the portal: John renamed and his call plan cut to pay-as-you-go; his
    // softphone unlinked, deleted and its licence cancelled at the month's end; Priya and Ann deleted and
    // their licences (free once they are gone) cancelled at once; and, beside the estate, a licence like
    // Ann's ordered and cancelled at the month's end: pending cancellation, there for a claim.
    await ok(backend, "PATCH", `/v1/users/${john!.id}`, { name: "Jonathan Smith" });
    await ok(backend, "POST", `/v1/subscriptions/${john!.licenceId}/call-plan`, { callPlan: "pay-as-you-go" });
    await ok(backend, "DELETE", `/v1/users/${john!.id}/devices/${soft!.id}`);
    await ok(backend, "DELETE", `/v1/devices/${soft!.id}`);
    const softCancel = await ok<Subscription>(backend, "POST", `/v1/subscriptions/${soft!.licenceId}/cancel`, {
      effective: "end-of-month",
      termsVersion: TERMS,
    });
    expect(softCancel.status).toBe("cancellation-scheduled");
    for (const gone of [priya!, ann!]) {
      await ok(backend, "DELETE", `/v1/users/${gone.id}`);
      expect(
        (
          await ok<Subscription>(backend, "POST", `/v1/subscriptions/${gone.licenceId}/cancel`, {
            effective: "immediately",
            termsVersion: TERMS,
          })
        ).status,
      ).toBe("cancelled");
    }
    const order = { termsVersion: TERMS, items: [{ product: "user-licence", callPlan: "national-unlimited" }] };
    const spare = (await ok<{ subscriptions: Subscription[] }>(backend, "POST", "/v1/orders", order)).subscriptions[0]!;
    await ok(backend, "POST", `/v1/subscriptions/${spare.id}/cancel`, {
      effective: "end-of-month",
      termsVersion: TERMS,
    });
    const ordersBefore = await live.orders(backend);

    const drift = await run("drift", estate, "--json");
    expect(drift.code, described(drift)).toBe(2);
    const report = json<DriftReport>(drift);
    expect(report.drift.map((d) => [d.resource, d.state, d.fields.map((f) => [f.field, f.declared, f.live])])).toEqual([
      ["device/john-softphone", "gone", []],
      ["device/john-softphone/licence", "changed", [["status", "active", "cancellation-scheduled"]]],
      ["user/ann", "gone", []],
      ["user/ann/licence", "gone", []],
      [
        "user/john",
        "changed",
        [
          ["name", "John Smith", "Jonathan Smith"],
          ["callPlan", "national-unlimited", "pay-as-you-go"],
          ["devices", ["john-desk-phone", "john-softphone"], ["john-desk-phone"]],
        ],
      ],
      ["user/john/licence", "changed", [["callPlan", "national-unlimited", "pay-as-you-go"]]],
      ["user/priya", "gone", []],
      ["user/priya/licence", "gone", []],
    ]);
    const claimOrOrder =
      ", unless the account has an identical licence pending cancellation: that one is reinstated for it instead, and nothing is ordered";
    expect(report.advice).toEqual([
      "sets the changed fields back to their declared values (user john)",
      "makes device john-softphone again as declared: a new device with a new SIP username and password (recorded in the state, encrypted), so its handset must be set up again",
      `reinstates the SIP-device licence of device john-softphone (${soft!.licenceId}), withdrawing its cancellation due at the end of ` +
        `${lastDay(softCancel.cancellationEffectiveAt!)} (Europe/London): it keeps running at GBP 3.00 a month, and nothing is ordered`,
      "makes user ann again as declared, with its devices",
      `orders a new user licence (national-unlimited) for user ann at the catalogue's GBP 13.00 a month${claimOrOrder}`,
      "changes the call plan of user john's licence back from pay-as-you-go to national-unlimited: GBP 8.00 → GBP 13.00 a month (+GBP 5.00)",
      "makes user priya again as declared, with its devices",
      `orders a new user licence (international) for user priya at the catalogue's GBP 23.00 a month${claimOrOrder}`,
    ]);

    // Following the advice: apply with the same files. Its plan says the same, the reinstated licence
    // counted in the cost (Ann's order is the one a claim replaces; the plan says so too).
    const applied = await run("apply", estate);
    expect(applied.code, described(applied)).toBe(0);
    expect(applied.stdout).toContain(
      `Licences to reinstate (1; scheduled for cancellation outside pbx-estate, they run on)\n  SIP-device licence for device john-softphone (${soft!.licenceId}): ` +
        `would have ended after ${lastDay(softCancel.cancellationEffectiveAt!)} (Europe/London); GBP 3.00 a month`,
    );
    expect(applied.stdout).toContain("Monthly cost: GBP 14.00 → GBP 58.00 (+GBP 44.00)");
    expect(applied.stdout).toContain(
      `SIP-device licence of device john-softphone (${soft!.licenceId}): reinstated, its cancellation withdrawn`,
    );
    expect(await live.monthlyCost(backend)).toBe(5800); // what the plan said the month would cost

    // Fields set back, and the call plan at the price the advice said.
    const usersNow = await live.users(backend);
    expect(usersNow.find((u) => u.id === john!.id)).toMatchObject({
      name: "John Smith",
      callPlan: "national-unlimited",
      licenceId: john!.licenceId,
    });
    expect((await live.licence(backend, john!.licenceId)).monthlyPrice.amountMinor).toBe(1300);
    // The softphone made again, with new credentials, on the very licence it had, reinstated.
    const softNow = (await live.devices(backend)).find((d) => d.name === "John's Softphone")!;
    expect(softNow.id).not.toBe(soft!.id);
    expect(softNow.sipUsername).not.toBe(soft!.sipUsername);
    expect(softNow).toMatchObject({ licenceId: soft!.licenceId, userId: john!.id });
    const passwords = await statePasswords(project, "small-office");
    expect(passwords.map(passwordFingerprint)).toContain(softNow.passwordFingerprint);
    expect(await live.licence(backend, soft!.licenceId)).toMatchObject({
      status: "active",
      monthlyPrice: { amountMinor: 300 },
    });
    // Priya made again, her phone linked, on a licence newly ordered at the catalogue's price; Ann made
    // again on the licence that was pending cancellation, claimed: one order in all.
    const priyaNow = usersNow.find((u) => u.extension === "200")!;
    expect(priyaNow).toMatchObject({ name: "Priya Patel", deviceIds: [reception!.id] });
    expect(priyaNow.licenceId).not.toBe(priya!.licenceId);
    expect(await live.licence(backend, priyaNow.licenceId)).toMatchObject({
      status: "active",
      callPlan: "international",
      monthlyPrice: { amountMinor: 2300 },
    });
    expect(usersNow.find((u) => u.extension === "202")).toMatchObject({ name: "Ann Lee", licenceId: spare.id });
    expect(await live.licence(backend, spare.id)).toMatchObject({
      status: "active",
      monthlyPrice: { amountMinor: 1300 },
    });
    expect(await live.orders(backend)).toBe(ordersBefore + 1);

    const clean = await run("drift", estate);
    expect(clean.code, described(clean)).toBe(0);
    expect(clean.stdout).toContain("In sync");

    // No password reached any output: the first ones, the portal's, the rotated and new ones.
    for (const secret of [...firstPasswords, portalPassword, ...passwords]) {
      expect(outputs.some((o) => o.includes(secret))).toBe(false);
    }
  }, 900_000);
});
