/**
 * Export round trip: an account of 30 users built by hand through the API is exported as estate files and
 * adopted — nothing made, nothing ordered, every object keeps its id — and the next plan shows no changes.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { TERMS_VERSION } from "../../backend/catalogue/service.ts";
import type { EstatePlan } from "../../cli/pbx-estate/plan/model.ts";
import { startTestBackend, type TestBackend } from "../provider/harness.ts";
import { cliProject, described, json } from "./harness.ts";

interface Listed {
  id: string;
}

async function ok<T>(backend: TestBackend, method: string, path: string, body?: unknown): Promise<T> {
  const r = await backend.call<T>(method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path} → ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** 30 users as a portal admin would make them: every other one with a softphone beside the desk phone. */
async function buildByHand(backend: TestBackend): Promise<void> {
  const items = Array.from({ length: 30 }, (_, i) => [
    { product: "user-licence", callPlan: i % 5 === 0 ? "international" : "national-unlimited" },
    ...Array.from({ length: i % 2 === 0 ? 2 : 1 }, () => ({ product: "sip-device-licence" })),
  ]);
  const firstHalf = await ok<{ subscriptions: Listed[] }>(backend, "POST", "/v1/orders", {
    termsVersion: TERMS_VERSION,
    items: items.slice(0, 15).flat(),
  });
  const secondHalf = await ok<{ subscriptions: Listed[] }>(backend, "POST", "/v1/orders", {
    termsVersion: TERMS_VERSION,
    items: items.slice(15).flat(),
  });
  const licences = [...firstHalf.subscriptions, ...secondHalf.subscriptions].map((s) => s.id);
  let next = 0;
  for (let i = 0; i < 30; i++) {
    const userLicence = licences[next++]!;
    const deviceIds: string[] = [];
    for (let d = 0; d < (i % 2 === 0 ? 2 : 1); d++) {
      const name = d === 0 ? `Desk ${i}` : `Softphone ${i}`;
      deviceIds.push((await ok<Listed>(backend, "POST", "/v1/devices", { name, licenceId: licences[next++] })).id);
    }
    await ok(backend, "POST", "/v1/users", {
      name: `User ${i}`,
      extension: String(300 + i),
      licenceId: userLicence,
      areaPrefix: i < 20 ? "020" : "0161",
      outboundCallerId: "+442079460000",
      ...(i === 3 ? { recording: { enabled: true, email: "rec@example.com", subject: "User 3 outbound" } } : {}),
      deviceIds,
    });
  }
}

describe("export", () => {
  it("exports an account of 30 users built by hand and adopts it: nothing made or ordered, and the next plan shows no changes", async () => {
    await using backend = await startTestBackend();
    await using project = cliProject(backend);
    await buildByHand(backend);
    const before = {
      users: (await ok<Listed[]>(backend, "GET", "/v1/users")).map((u) => u.id).sort(),
      devices: (await ok<Listed[]>(backend, "GET", "/v1/devices")).map((d) => d.id).sort(),
      subscriptions: (await ok<Listed[]>(backend, "GET", "/v1/subscriptions")).map((s) => s.id).sort(),
      orders: (await ok<Listed[]>(backend, "GET", "/v1/orders")).length,
    };
    expect(before.users).toHaveLength(30);

    const exported = await project.run(["export", "--out", "estate"]);
    expect(exported.code, described(exported)).toBe(0);
    expect(exported.stdout).toContain("SIP passwords stay unknown");
    const file = readFileSync(join(project.dir, "estate", "estate.yaml"), "utf8");
    expect(file).toMatch(/^# yaml-language-server: \$schema=/);
    expect(file).toContain("key: user-3");

    const after = {
      users: (await ok<Listed[]>(backend, "GET", "/v1/users")).map((u) => u.id).sort(),
      devices: (await ok<Listed[]>(backend, "GET", "/v1/devices")).map((d) => d.id).sort(),
      subscriptions: (await ok<Listed[]>(backend, "GET", "/v1/subscriptions")).map((s) => s.id).sort(),
      orders: (await ok<Listed[]>(backend, "GET", "/v1/orders")).length,
    };
    expect(after).toEqual(before);

    const plan = await project.run(["plan", "estate", "--json"]);
    expect(plan.code, described(plan)).toBe(0);
    expect(json<EstatePlan>(plan).hasChanges).toBe(false);

    const again = await project.run(["export", "--out", "estate"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("already holds estate files");
  });
});
