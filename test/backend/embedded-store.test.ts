/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-member-access -- black-box tests read untyped JSON bodies */
// The embedded store: a killed process loses no committed write; a second process on the same data is refused.
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Client, order, userBody } from "./harness.ts";
import { exited, spawnServe } from "./processes.ts";

describe("embedded store", () => {
  const dir = mkdtempSync(join(tmpdir(), "pbx-embedded-"));
  const dataDir = join(dir, "data");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("creates a demo account on first start, writes its token with mode 0600, and refuses a second process on the same data", async () => {
    const first = await spawnServe(["--database", dataDir]);
    try {
      expect(first.tokenFile).toBe(join(dir, "demo-token"));
      expect(statSync(first.tokenFile!).mode & 0o777).toBe(0o600);
      const token = readFileSync(first.tokenFile!, "utf8").trim();
      const who = await new Client(first.url, token).get("/v1/whoami");
      expect(who.status).toBe(200);
      expect(who.body.name).toBe("Demo account");
      await expect(spawnServe(["--database", dataDir])).rejects.toThrow(/in use by process \d+/);
    } finally {
      first.child.kill("SIGTERM");
      expect(await exited(first.child)).toBe(0);
    }
  });

  it("loses no committed write when the process is killed with SIGKILL", async () => {
    const first = await spawnServe(["--database", dataDir]);
    const token = readFileSync(first.tokenFile!, "utf8").trim();
    const c = new Client(first.url, token);
    const [lic] = await order(c, [{ product: "user-licence", callPlan: "pay-as-you-go" }]);
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await c.post("/v1/users", userBody(lic!, `3${i}0`, { outboundCallerId: "+442079460000" }));
      if (i === 0) {
        expect(r.status).toBe(201);
        made.push(r.body.id);
      } else {
        const u = await c.patch(`/v1/users/${made[0]}`, { extension: `3${i}0` });
        expect(u.status).toBe(200);
      }
    }
    first.child.kill("SIGKILL");
    await exited(first.child);

    const second = await spawnServe(["--database", dataDir]);
    try {
      const c2 = new Client(second.url, token);
      const u = await c2.get(`/v1/users/${made[0]}`);
      expect(u.body).toMatchObject({ extension: "340", version: 5 });
      expect((await c2.get("/v1/revisions")).body).toHaveLength(5);
    } finally {
      second.child.kill("SIGTERM");
      await exited(second.child);
    }
  });
});
