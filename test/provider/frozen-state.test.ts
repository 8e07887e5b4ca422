/**
 * A stack written by an earlier pbx-estate keeps working: frozen-state/stack.json is the state an earlier
 * provider wrote for frozenEstate, each resource carrying the serialized provider of its time
 * (frozen-state/shims.json), which loads `pbx-estate/provider` and calls `hooksFor(kind)` in the plugin.
 * The engine calls `read` and `delete` through that frozen text, and hands every hook the inputs and
 * outputs in the shape recorded then. The backend objects it names are made again here (ids are the
 * backend's own, so the state is pointed at the new ones; every other recorded value stays as written).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { estateEngine, startTestBackend, type TestBackend } from "./harness.ts";
import { frozenEstate } from "./frozen-state/estate.ts";

const fixture = (file: string) => readFileSync(new URL(`./frozen-state/${file}`, import.meta.url), "utf8");
const shims = JSON.parse(fixture("shims.json")) as Record<"subscription" | "device" | "user", string>;

interface StateResource {
  urn: string;
  type: string;
  id?: string;
  created?: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}
/** An exported stack (the Automation API types its deployment as `any`). */
interface Deployment {
  version: number;
  deployment: { resources: StateResource[] };
}
interface LiveObject {
  id: string;
  clientReference: string | null;
  version: number;
  sipUsername?: string;
  passwordFingerprint?: string;
}

const ours = (resources: StateResource[]) => resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/pbx:"));
const nameOf = (r: StateResource) => r.urn.split("::").at(-1);
const kindOf: Record<string, keyof typeof shims> = {
  ServiceSubscription: "subscription",
  SipDevice: "device",
  PbxUser: "user",
};

/**
 * The frozen state pointed at `backend`'s objects of the same client references: what the backend makes
 * (ids, the account, SIP usernames, password fingerprints, versions) and the stack config the default
 * provider records are taken from there. Field names, defaults left out and everything else stay as written.
 */
async function frozenStateFor(backend: TestBackend): Promise<Deployment> {
  const frozen = JSON.parse(fixture("stack.json")) as Deployment;
  const resources = frozen.deployment.resources;
  const live = (
    await Promise.all(
      ["subscriptions", "devices", "users"].map(
        async (kind) => (await backend.call<LiveObject[]>("GET", `/v1/${kind}`)).body,
      ),
    )
  ).flat();
  const replacements = new Map<string, string>([
    ["http://capture-backend.invalid", backend.url],
    ['\\"capture-token\\"', JSON.stringify(JSON.stringify(backend.token)).slice(1, -1)],
  ]);
  const versions = new Map<string, number>();
  for (const r of ours(resources)) {
    const object = live.find((o) => o.clientReference === r.outputs?.clientReference);
    if (!object || !r.id) throw new Error(`no live object for ${r.urn}`);
    replacements.set(r.id, object.id);
    replacements.set(String(r.outputs?.accountId), backend.accountId);
    for (const field of ["sipUsername", "passwordFingerprint"] as const) {
      if (typeof r.outputs?.[field] === "string") replacements.set(r.outputs[field], object[field] ?? "");
    }
    versions.set(r.urn, object.version);
  }
  let text = fixture("stack.json");
  for (const [before, after] of replacements) text = text.replaceAll(before, after);
  const pointed = JSON.parse(text) as Deployment;
  for (const r of ours(pointed.deployment.resources)) r.outputs = { ...r.outputs, version: versions.get(r.urn) };
  return pointed;
}

describe("a stack written by an earlier pbx-estate", () => {
  it("previews and refreshes clean through the provider text it recorded, then updates and destroys", async () => {
    const recorded = ours((JSON.parse(fixture("stack.json")) as Deployment).deployment.resources);
    const providerTexts = (resources: StateResource[]) =>
      resources.map((r) => [nameOf(r), r.inputs?.__provider, r.outputs?.__provider]);
    const frozenTexts = recorded.map((r) => {
      const shim = shims[kindOf[r.type.split(":").at(-1) ?? ""]!];
      return [nameOf(r), shim, shim];
    });
    expect(providerTexts(recorded)).toEqual(frozenTexts);

    await using backend = await startTestBackend();
    let deskName = "Ada's Desk Phone";
    // The stack's project and stack names are the frozen one's, so the objects made carry its client references.
    await using engine = await estateEngine(backend, async () => frozenEstate({ deskName }));
    await engine.up();
    const frozen = await frozenStateFor(backend);
    await engine.stack.importStack(frozen);
    const imported: Deployment = await engine.stack.exportStack();
    expect(providerTexts(ours(imported.deployment.resources))).toEqual(frozenTexts);
    const created = (resources: StateResource[]) => ours(resources).map((r) => [nameOf(r), r.created]);
    expect(created(imported.deployment.resources)).toEqual(created(recorded)); // the frozen state, not the one just applied

    const preview = await engine.preview({ expectNoChanges: true });
    expect(preview.steps.filter((s) => s.op !== "same")).toEqual([]);
    expect(preview.steps).toHaveLength(recorded.length);
    // `read` of every resource, through the recorded provider text, finds what state says.
    const refresh = await engine.refreshPreview({ expectNoChanges: true });
    expect(refresh.steps.filter((s) => s.op !== "same")).toEqual([]);
    // ...and records it as it was: no field added, dropped or reshaped under a user's existing stack.
    await engine.refresh();
    const refreshed: Deployment = await engine.stack.exportStack();
    const recordedValues = (d: Deployment) => ours(d.deployment.resources).map((r) => [nameOf(r), r.inputs, r.outputs]);
    expect(recordedValues(refreshed)).toEqual(recordedValues(frozen));

    deskName = "Ada's Desk Phone (moved)";
    const up = await engine.up();
    expect(up.steps.filter((s) => s.op !== "same").map((s) => [s.op, s.name, s.diffs])).toEqual([
      ["update", "ada-desk", ["name"]],
    ]);
    expect((await backend.call<{ name: string }[]>("GET", "/v1/devices")).body.map((d) => d.name)).toEqual([deskName]);

    // `delete`, through the recorded provider text for all but the device just updated.
    const destroyed = await engine.destroy();
    const deleted = destroyed.steps.map((s) => `${s.op} ${s.name}`);
    expect([...deleted.slice(0, 2), ...deleted.slice(2).sort()]).toEqual([
      "delete ada",
      "delete ada-desk",
      "delete ada-desk-licence",
      "delete ada-licence",
    ]);
    expect((await backend.call<unknown[]>("GET", "/v1/users")).body).toEqual([]);
    expect((await backend.call<unknown[]>("GET", "/v1/devices")).body).toEqual([]);
    const licences = (await backend.call<{ status: string }[]>("GET", "/v1/subscriptions")).body;
    expect(licences.map((s) => s.status)).toEqual(["cancellation-scheduled", "cancellation-scheduled"]);
  });
});
