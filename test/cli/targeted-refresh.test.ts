/**
 * `apply` reads again only what its plan found changed outside pbx-estate, then updates without a full
 * refresh: edits made in the portal are put back, an object deleted there is made again, and with nothing
 * to do no update runs. `--engine` keeps the full refresh.
 */
import { describe, expect, it } from "vitest";
import type { Device } from "../../schemas/device.ts";
import type { User } from "../../schemas/user.ts";
import { auditLog, startTestBackend } from "../provider/harness.ts";
import { cliProject, described } from "./harness.ts";

describe("apply's targeted refresh", () => {
  it("reads again the objects changed in the portal, puts them back, and runs no update when nothing changed", async () => {
    await using backend = await startTestBackend();
    await using project = cliProject(backend);
    const estate = project.example("small-office");
    const first = await project.run(["apply", estate]);
    expect(first.code, described(first)).toBe(0);
    expect(first.stderr).not.toContain("reading again");

    // In the portal: Priya renamed, John's softphone unlinked from him and deleted.
    const users = async () => (await backend.call<User[]>("GET", "/v1/users")).body;
    const devices = async () => (await backend.call<Device[]>("GET", "/v1/devices")).body;
    const priya = (await users()).find((u) => u.extension === "200")!;
    const john = (await users()).find((u) => u.extension === "201")!;
    const softphone = (await devices()).find((d) => d.name === "John's Softphone")!;
    expect((await backend.call("PATCH", `/v1/users/${priya.id}`, { name: "P. Patel" })).status).toBe(200);
    expect((await backend.call("DELETE", `/v1/users/${john.id}/devices/${softphone.id}`)).status).toBe(200);
    expect((await backend.call("DELETE", `/v1/devices/${softphone.id}`)).status).toBe(204);

    // Priya, John (his devices) and the softphone (gone) are read again: not the other nine resources.
    const restored = await project.run(["apply", estate]);
    expect(restored.code, described(restored)).toBe(0);
    expect(restored.stderr).toContain("reading again 3 objects changed outside pbx-estate");
    expect(restored.stdout).toContain("name: P. Patel → Priya Patel");
    const after = await users();
    expect(after.find((u) => u.id === priya.id)?.name).toBe("Priya Patel");
    const remade = (await devices()).find((d) => d.name === "John's Softphone");
    expect(remade?.id).not.toBe(softphone.id);
    expect(after.find((u) => u.id === john.id)?.deviceIds).toContain(remade?.id);

    // Nothing to do: no refresh, no update, nothing written.
    const audit = (await auditLog(backend)).length;
    const idle = await project.run(["apply", estate]);
    expect(idle.code, described(idle)).toBe(0);
    expect(idle.stdout).toContain("No changes: the live objects match the estate files.");
    expect(idle.stderr).not.toContain("reading again");
    expect((await auditLog(backend)).length).toBe(audit);

    // With --engine, the update refreshes everything, as the engine's preview did.
    expect((await backend.call("PATCH", `/v1/users/${priya.id}`, { name: "P. Patel" })).status).toBe(200);
    const engine = await project.run(["apply", estate, "--engine"]);
    expect(engine.code, described(engine)).toBe(0);
    expect(engine.stderr).not.toContain("reading again");
    expect((await users()).find((u) => u.id === priya.id)?.name).toBe("Priya Patel");
  });
});
