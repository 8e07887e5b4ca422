/**
 * State keeps only the fields that say something: no empty values, no inputs equal to their default. A
 * stack written by an earlier version, with those values recorded, previews and refreshes clean; a value
 * moved off its default is recorded and acts.
 */
import { describe, expect, it } from "vitest";
import { estateEngine, startTestBackend } from "./harness.ts";
import { johnEstate, type JohnOptions } from "./estate.ts";

interface StateResource {
  type: string;
  urn: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}
type Deployment = { version: number; deployment: { resources: StateResource[] } };

const nameOf = (r: StateResource) => r.urn.split("::").pop() ?? r.urn;
const ours = (d: Deployment) => d.deployment.resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/pbx:"));
const kindOf = (r: StateResource) => r.type.split(":").at(-1);

describe("lean state", () => {
  it("records no empty or default values in inputs or outputs, nothing a refresh rewrites, reads state that has them as unchanged, and records a value moved off its default", async () => {
    await using backend = await startTestBackend();
    const options: JohnOptions = { withJane: true };
    await using engine = await estateEngine(backend, async () => {
      johnEstate(options);
    });
    await engine.up();

    const written: Deployment = await engine.stack.exportStack();
    const resources = ours(written);
    // What `up` recorded is what a refresh reads: no field (such as a device's linked user) changes under it.
    await engine.refresh();
    const refreshed = ours(await engine.stack.exportStack());
    const recorded = (rs: StateResource[]) =>
      [...rs].sort((a, b) => nameOf(a).localeCompare(nameOf(b))).map((r) => [nameOf(r), r.inputs, r.outputs]);
    expect(recorded(refreshed)).toEqual(recorded(resources));
    expect(resources).toHaveLength(8);
    for (const r of resources) {
      const outputs = r.outputs ?? {};
      expect(
        Object.entries(outputs).filter(([, v]) => v === null),
        nameOf(r),
      ).toEqual([]);
      if (kindOf(r) === "SipDevice") expect(outputs, nameOf(r)).not.toHaveProperty("userId");
      if (kindOf(r) === "ServiceSubscription") {
        expect(r.inputs, nameOf(r)).not.toHaveProperty("removal");
        expect(r.inputs, nameOf(r)).not.toHaveProperty("claimPending");
        expect(outputs, nameOf(r)).not.toHaveProperty("removal");
        expect(outputs, nameOf(r)).not.toHaveProperty("claimPending");
        expect(outputs, nameOf(r)).not.toHaveProperty("cancellationEffectiveAt");
        expect(outputs, nameOf(r)).toMatchObject({ status: "active", claimedFromPending: false });
      }
    }
    const outputsOf = (name: string) => resources.find((r) => nameOf(r) === name)?.outputs ?? {};
    expect(outputsOf("jane")).not.toHaveProperty("recording");
    expect(resources.find((r) => nameOf(r) === "jane")?.inputs).not.toHaveProperty("recording");
    expect(outputsOf("jane")).toMatchObject({ deviceIds: [] });
    expect(outputsOf("john")).toMatchObject({ recording: { enabled: true, email: "recordings@acme.example" } });

    // The same stack as an earlier version wrote it: defaults and empty values recorded, defaults in inputs too.
    for (const r of resources) {
      const earlier: Record<string, unknown> =
        kindOf(r) === "ServiceSubscription"
          ? { removal: "end-of-month", claimPending: true, cancellationEffectiveAt: null }
          : kindOf(r) === "PbxUser" && nameOf(r) === "jane"
            ? { recording: { enabled: false } }
            : kindOf(r) === "SipDevice"
              ? { userId: "usr_recordedbyanearlierversion" }
              : {};
      r.outputs = { ...r.outputs, ...earlier };
      const { cancellationEffectiveAt: _none, userId: _output, ...earlierInputs } = earlier;
      r.inputs = { ...r.inputs, ...earlierInputs };
    }
    await engine.stack.importStack(written);
    const preview = await engine.preview({ expectNoChanges: true });
    expect(preview.steps.filter((s) => s.op !== "same")).toEqual([]);
    await engine.refreshPreview({ expectNoChanges: true });
    // A refresh drops the linked user an earlier version recorded on each device.
    await engine.refresh();
    const devices = ours(await engine.stack.exportStack()).filter((r) => kindOf(r) === "SipDevice");
    expect(devices.map((r) => nameOf(r) + (r.outputs && "userId" in r.outputs ? " has userId" : ""))).toEqual(
      devices.map(nameOf),
    );

    // Off its default, a value is recorded and acts: an immediate removal is planned as a change.
    options.removal = "immediately";
    const up = await engine.up();
    const licenceSteps = up.steps.filter((s) => s.type.endsWith(":ServiceSubscription"));
    expect(licenceSteps.map((s) => [s.op, s.diffs])).toEqual(licenceSteps.map(() => ["update", ["removal"]]));
    const after = ours(await engine.stack.exportStack()).filter((r) => kindOf(r) === "ServiceSubscription");
    expect(after.map((r) => [r.inputs?.removal, r.outputs?.removal])).toEqual(
      after.map(() => ["immediately", "immediately"]),
    );
    await engine.destroy();
    const subscriptions = (await backend.call<{ status: string }[]>("GET", "/v1/subscriptions")).body;
    expect(subscriptions.map((s) => s.status)).toEqual(subscriptions.map(() => "cancelled"));
  });
});
