/**
 * Field changes never replace anything: a call plan changes on the licence in place, a device is renamed,
 * a device moves between users, two users swap extensions — each in one `up`, with no replace, create or
 * delete step, no new order, and the handsets' SIP credentials untouched.
 */
import { describe, expect, it } from "vitest";
import { estateEngine, startTestBackend, type TestBackend } from "./harness.ts";
import { johnEstate, type JohnOptions } from "./estate.ts";

interface Snapshot {
  subscriptions: { id: string; callPlan: string | null; status: string }[];
  devices: { id: string; name: string; sipUsername: string; passwordFingerprint: string; userId: string | null }[];
  users: { id: string; name: string; extension: string; deviceIds: string[] }[];
}

async function snapshot(backend: TestBackend): Promise<Snapshot> {
  const get = async <T>(path: string) => (await backend.call<T>("GET", path)).body;
  return {
    subscriptions: await get("/v1/subscriptions"),
    devices: await get("/v1/devices"),
    users: await get("/v1/users"),
  };
}

describe("changes in place", () => {
  it("call plan, device name, device move and an extension swap each go live in one up without replacing", async () => {
    await using backend = await startTestBackend();
    let options: JohnOptions = { withJane: true };
    await using engine = await estateEngine(backend, async () => {
      johnEstate(options);
    });
    await engine.up();
    const before = await snapshot(backend);
    const credentials = before.devices.map((d) => [d.id, d.sipUsername, d.passwordFingerprint]).sort();

    const steps: [JohnOptions, string, (after: Snapshot) => void][] = [
      [
        { withJane: true, callPlan: "international" },
        "john-licence,john", // the licence's call plan, and John's, which follows it
        (after) => {
          const johnsLicence = after.subscriptions.find((s) => s.callPlan === "international");
          expect(johnsLicence).toBeDefined();
          expect(before.subscriptions.map((s) => s.id)).toContain(johnsLicence!.id);
        },
      ],
      [
        { withJane: true, callPlan: "international", deskName: "John's Desk Phone (2nd floor)" },
        "john-desk",
        (after) => expect(after.devices.map((d) => d.name)).toContain("John's Desk Phone (2nd floor)"),
      ],
      [
        { withJane: true, callPlan: "international", deskName: "John's Desk Phone (2nd floor)", softphoneUser: "jane" },
        "john,jane",
        (after) => {
          const soft = after.devices.find((d) => d.name === "John's Softphone")!;
          const jane = after.users.find((u) => u.name === "Jane Doe")!;
          expect(soft.userId).toBe(jane.id);
          expect(after.users.find((u) => u.name === "John Smith")!.deviceIds).not.toContain(soft.id);
        },
      ],
      [
        {
          withJane: true,
          callPlan: "international",
          deskName: "John's Desk Phone (2nd floor)",
          softphoneUser: "jane",
          johnExtension: "202",
          janeExtension: "201",
        },
        "jane,john",
        (after) => {
          expect(after.users.find((u) => u.name === "John Smith")!.extension).toBe("202");
          expect(after.users.find((u) => u.name === "Jane Doe")!.extension).toBe("201");
        },
      ],
    ];

    for (const [next, changedNames, verify] of steps) {
      options = next;
      const up = await engine.up();
      const changed = up.steps.filter((s) => s.op !== "same");
      expect(
        changed.every((s) => s.op === "update"),
        JSON.stringify(changed),
      ).toBe(true);
      expect(
        changed
          .map((s) => s.name)
          .sort()
          .join(","),
      ).toBe(changedNames.split(",").sort().join(","));
      expect(changed.every((s) => s.diffs.length > 0)).toBe(true);
      const after = await snapshot(backend);
      expect(after.subscriptions.map((s) => s.id).sort()).toEqual(before.subscriptions.map((s) => s.id).sort());
      expect(after.devices.map((d) => [d.id, d.sipUsername, d.passwordFingerprint]).sort()).toEqual(credentials);
      verify(after);
      await engine.preview({ expectNoChanges: true });
    }
  });
});
