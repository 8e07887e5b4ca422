/**
 * Cancelling accepts the service terms. The small office applied under terms 2025-01; the backend then
 * publishes 2025-07 (restarted on the same data with new terms). A destroy, or an apply that removes a
 * user, is refused before anything changes, naming acceptTerms and the new version; once the estate
 * accepts the new terms, the same command cancels, under them.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Subscription } from "../../schemas/subscription.ts";
import type { Device } from "../../schemas/device.ts";
import type { User } from "../../schemas/user.ts";
import { auditLog, startTestBackend, TERMS, type HarnessBackend } from "../provider/harness.ts";
import { cliProject, described, type CliProject } from "./harness.ts";

const NEW_TERMS = "2025-07";

/** The refusal the CLI prints (on stderr), before the engine changes anything. */
function refusal(command: "apply" | "destroy", estateFile: string, accepting: string): string {
  return (
    `the service terms are now ${NEW_TERMS}, but estate small-office accepts ${TERMS} (acceptTerms in ${estateFile}), ` +
    `and this ${command} ${accepting}: ordering and cancelling both accept the current terms. ` +
    `Read the new terms, set acceptTerms: "${NEW_TERMS}" in the estate, and run ${command} again. Nothing was changed.`
  );
}

/** Everything the account holds, to prove a refused run changed nothing. */
async function everything(backend: HarnessBackend): Promise<unknown> {
  const get = async (path: string) => (await backend.call("GET", path)).body;
  return [
    await get("/v1/users"),
    await get("/v1/devices"),
    await get("/v1/subscriptions"),
    await get("/v1/orders"),
    await get("/v1/revisions"),
  ];
}

async function cancelledUnder(backend: HarnessBackend): Promise<unknown[]> {
  return (await auditLog(backend)).filter((e) => e.action === "subscription.cancel").map((e) => e.detail.termsVersion);
}

/** The small office applied under TERMS, then the backend restarted with NEW_TERMS. */
async function appliedThenNewTerms(
  backend: HarnessBackend,
  project: CliProject,
): Promise<{ folder: string; file: string }> {
  const folder = project.example("small-office");
  const applied = await project.run(["apply", folder, "--yes"]);
  expect(applied.code, described(applied)).toBe(0);
  expect((await backend.call<Subscription[]>("GET", "/v1/subscriptions")).body).toHaveLength(5);
  await backend.restart({ termsVersion: NEW_TERMS });
  return { folder, file: join(folder, "estate.yaml") };
}

function acceptNewTerms(file: string): void {
  const text = readFileSync(file, "utf8");
  expect(text).toContain(`acceptTerms: "${TERMS}"`);
  writeFileSync(file, text.replace(`acceptTerms: "${TERMS}"`, `acceptTerms: "${NEW_TERMS}"`));
}

describe("pbx-estate when the service terms change", () => {
  it("refuses destroy until the estate accepts the new terms, then cancels every licence under them", async () => {
    await using backend = await startTestBackend({ clockStart: new Date().toISOString(), restartable: true });
    await using project = cliProject(backend);
    const { folder, file } = await appliedThenNewTerms(backend, project);

    const before = await everything(backend);
    const refused = await project.run(["destroy", folder, "--yes"]);
    expect(refused.code, described(refused)).toBe(3);
    expect(refused.stderr).toContain(refusal("destroy", file, "cancels 5 licences"));
    expect(await everything(backend)).toEqual(before);
    expect(await cancelledUnder(backend)).toEqual([]);

    acceptNewTerms(file);
    const destroyed = await project.run(["destroy", folder, "--yes"]);
    expect(destroyed.code, described(destroyed)).toBe(0);
    expect((await backend.call<Subscription[]>("GET", "/v1/subscriptions")).body.map((s) => s.status)).toEqual(
      Array(5).fill("cancellation-scheduled"),
    );
    expect((await backend.call<User[]>("GET", "/v1/users")).body).toEqual([]);
    expect((await backend.call<Device[]>("GET", "/v1/devices")).body).toEqual([]);
    expect(await cancelledUnder(backend)).toEqual(Array(5).fill(NEW_TERMS));
  }, 600_000);

  it("refuses an apply that removes a user until the estate accepts the new terms, then cancels its licences under them", async () => {
    await using backend = await startTestBackend({ clockStart: new Date().toISOString(), restartable: true });
    await using project = cliProject(backend);
    const { folder, file } = await appliedThenNewTerms(backend, project);

    // Priya leaves: the last user of the file, with her reception phone.
    const text = readFileSync(file, "utf8");
    const priya = text.indexOf("    - key: priya");
    expect(priya).toBeGreaterThan(0);
    writeFileSync(file, text.slice(0, priya));

    const before = await everything(backend);
    const orders = (await backend.call<unknown[]>("GET", "/v1/orders")).body.length;
    const refused = await project.run(["apply", folder, "--yes"]);
    expect(refused.code, described(refused)).toBe(3);
    expect(refused.stderr).toContain(refusal("apply", file, "cancels 2 licences"));
    expect(await everything(backend)).toEqual(before);

    acceptNewTerms(file);
    const applied = await project.run(["apply", folder, "--yes"]);
    expect(applied.code, described(applied)).toBe(0);
    const users = (await backend.call<User[]>("GET", "/v1/users")).body;
    expect(users.map((u) => u.name)).toEqual(["John Smith"]);
    const statuses = (await backend.call<Subscription[]>("GET", "/v1/subscriptions")).body.map((s) => s.status).sort();
    expect(statuses).toEqual(["active", "active", "active", "cancellation-scheduled", "cancellation-scheduled"]);
    expect(await cancelledUnder(backend)).toEqual([NEW_TERMS, NEW_TERMS]);
    // Nothing was ordered again: John's licences carry the new terms in state only.
    expect((await backend.call<unknown[]>("GET", "/v1/orders")).body).toHaveLength(orders);
  }, 600_000);
});
