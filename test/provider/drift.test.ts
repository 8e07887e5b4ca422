/**
 * Drift: a change made in the portal behind the engine's back is found by a refresh preview, named by
 * property, and undone by `up --refresh` (a SIP password rotated in the portal is rotated again). A token
 * of another account is an error on refresh, never a reason to forget the estate.
 */
import { describe, expect, it } from "vitest";
import { passwordFingerprint } from "../../backend/ids.ts";
import type { Device, DeviceWithPassword } from "../../schemas/device.ts";
import { EngineRunError } from "../engine/harness.ts";
import { estateEngine, NUMBERS, startTestBackend, TERMS } from "./harness.ts";
import { johnEstate } from "./estate.ts";

describe("drift", () => {
  it("an out-of-band change fails a no-changes refresh preview naming the property, and up --refresh restores it", async () => {
    await using backend = await startTestBackend();
    await using engine = await estateEngine(backend, async () => {
      johnEstate();
    });
    await engine.up();
    const [john] = (await backend.call<{ id: string; version: number }[]>("GET", "/v1/users")).body;

    // Someone edits John in the portal: no change set header, so it is applied at once.
    const edit = await backend.call("PATCH", `/v1/users/${john!.id}`, { outboundCallerId: NUMBERS[2] });
    expect(edit.status).toBe(200);

    const refresh = await engine.refreshPreview({ expectNoChanges: true }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refresh).toBeInstanceOf(EngineRunError);
    expect((refresh as EngineRunError).exitCode).toBe(7);
    const drifted = (refresh as EngineRunError).run.steps.filter((s) => s.op !== "same");
    expect(drifted.map((s) => [s.name, s.diffs])).toEqual([["john", ["outboundCallerId", "version"]]]);

    const restored = await engine.stack.up({ refresh: true });
    expect(restored.summary.result).toBe("succeeded");
    const live = (await backend.call<{ outboundCallerId: string }>("GET", `/v1/users/${john!.id}`)).body;
    expect(live.outboundCallerId).toBe(NUMBERS[0]);
    await engine.refreshPreview({ expectNoChanges: true });
    await engine.preview({ expectNoChanges: true });
  });

  it("a device deleted and its licence cancelled in the portal: up reinstates the licence and makes the device again on it", async () => {
    await using backend = await startTestBackend();
    await using engine = await estateEngine(backend, async () => {
      johnEstate();
    });
    await engine.up();
    const [desk] = (
      await backend.call<{ id: string; licenceId: string; name: string; userId: string }[]>("GET", "/v1/devices")
    ).body.filter((d) => d.name === "John's Desk Phone");
    // In the portal: the desk phone removed from John and deleted, then its licence cancelled (at month end).
    expect((await backend.call("DELETE", `/v1/users/${desk!.userId}/devices/${desk!.id}`)).status).toBe(200);
    expect((await backend.call("DELETE", `/v1/devices/${desk!.id}`)).status).toBe(204);
    const scheduled = await backend.call<{ status: string }>("POST", `/v1/subscriptions/${desk!.licenceId}/cancel`, {
      termsVersion: TERMS,
    });
    expect(scheduled.body.status).toBe("cancellation-scheduled");

    // The licence is reinstated (not a new order), then the device made again on it and linked to John.
    const preview = await engine.stack.preview({ refresh: true });
    expect(preview.changeSummary).toMatchObject({ update: 2, create: 1 });
    const ordersBefore = (await backend.call<unknown[]>("GET", "/v1/orders")).body.length;
    await engine.stack.up({ refresh: true });
    expect((await backend.call<{ status: string }>("GET", `/v1/subscriptions/${desk!.licenceId}`)).body.status).toBe(
      "active",
    );
    const remade = (
      await backend.call<{ licenceId: string; name: string; userId: string }[]>("GET", "/v1/devices")
    ).body.find((d) => d.name === "John's Desk Phone");
    expect(remade).toMatchObject({ licenceId: desk!.licenceId, userId: desk!.userId });
    expect((await backend.call<unknown[]>("GET", "/v1/orders")).body.length).toBe(ordersBefore);
    await engine.preview({ expectNoChanges: true });
  });

  it("a SIP password rotated in the portal is rotated again by up, the new one recorded, even after a refresh wrote the live fingerprint", async () => {
    await using backend = await startTestBackend();
    await using engine = await estateEngine(backend, async () => {
      const estate = johnEstate();
      return { deskPassword: estate.desk.sipPassword };
    });
    const first = await engine.up();
    const password = async () => (await engine.stack.outputs()).deskPassword!.value as string;
    const original = await password();
    const [desk] = (await backend.call<Device[]>("GET", "/v1/devices")).body.filter(
      (d) => d.name === "John's Desk Phone",
    );
    const portal = (await backend.call<DeviceWithPassword>("POST", `/v1/devices/${desk!.id}/rotate-password`)).body
      .sipPassword;

    // A refresh records the live fingerprint (the old password no longer holds, so it reads back empty)
    // and marks the password as rotated elsewhere: a plain preview afterwards still plans the rotation.
    const refreshed = await engine.refresh();
    const planned = await engine.preview();
    expect(planned.steps.filter((s) => s.op !== "same").map((s) => [s.op, s.name])).toEqual([["update", "john-desk"]]);

    const rotated = await engine.up();
    expect(rotated.steps.filter((s) => s.op !== "same").map((s) => [s.op, s.name])).toEqual([["update", "john-desk"]]);
    const renewed = await password();
    expect([original, portal, ""]).not.toContain(renewed);
    const live = (await backend.call<Device>("GET", `/v1/devices/${desk!.id}`)).body;
    expect(live.passwordFingerprint).toBe(passwordFingerprint(renewed));
    expect(live.sipUsername).toBe(desk!.sipUsername);
    await engine.refreshPreview({ expectNoChanges: true });
    await engine.preview({ expectNoChanges: true });
    for (const run of [first, refreshed, planned, rotated]) {
      for (const secret of [original, portal, renewed]) expect(run.output.includes(secret)).toBe(false);
    }
    expect(engine.stateFile().includes(renewed)).toBe(false);
  });

  it("a token of another account makes refresh fail and marks nothing as deleted", async () => {
    await using backend = await startTestBackend();
    // Credentials from the environment, as a CI drift job passes them. (A refresh configures the provider
    // from the config recorded in state, so swapping `pbx:token` in stack config would not reach it.)
    await using engine = await estateEngine(
      backend,
      async () => {
        johnEstate();
      },
      "env",
    );
    await engine.up();
    const other = await backend.backend.createAccount({
      name: "Other Ltd",
      timeZone: "Europe/London",
      numbers: [NUMBERS[2]!],
    });
    engine.stack.workspace.envVars.PBX_TOKEN = other.token;

    const refresh = await engine.refresh().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refresh).toBeInstanceOf(EngineRunError);
    expect(String((refresh as Error).message)).toMatch(/configured token is for account/);
    expect((refresh as EngineRunError).run.steps.filter((s) => s.op === "delete" || s.op === "discard")).toEqual([]);

    engine.stack.workspace.envVars.PBX_TOKEN = backend.token;
    const state = JSON.parse(engine.stateFile()) as { checkpoint: { latest: { resources: { type: string }[] } } };
    expect(
      state.checkpoint.latest.resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/pbx:")),
    ).toHaveLength(6);
    await engine.refreshPreview({ expectNoChanges: true });
  });
});
