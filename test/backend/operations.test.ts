/* eslint-disable @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access -- black-box tests read untyped JSON bodies */
// Operations: OpenAPI served and committed, logs without secrets, rate limiting, health, audit, graceful stop.
import { readFileSync } from "node:fs";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { generateOpenApi, OPENAPI_PATH } from "../../backend/cli/write-openapi.ts";
import { Client, newAccount, order, start, storeCases, testHookHeaders, userBody } from "./harness.ts";

const embedded = storeCases()[0]!;

describe("operations", () => {
  it("commits the OpenAPI document the backend generates (run `npm run openapi` when this fails)", async () => {
    expect(readFileSync(OPENAPI_PATH, "utf8")).toBe(await generateOpenApi());
  });

  it("serves /openapi.json, /health, and the audit log of every change", async () => {
    const backend = await start(embedded);
    try {
      const doc = (await (await fetch(`${backend.url}/openapi.json`)).json()) as {
        openapi: string;
        paths: Record<string, unknown>;
      };
      expect(doc.openapi).toBe("3.1.0");
      expect(Object.keys(doc.paths)).toContain("/v1/change-sets/{id}/apply");
      expect(await (await fetch(`${backend.url}/health`)).json()).toEqual({ status: "ok", store: "embedded" });
      const c = await newAccount(backend);
      const [dl] = await order(c, [{ product: "sip-device-licence" }]);
      await c.post("/v1/devices", { name: "Desk", licenceId: dl }, { "x-request-id": "req-audit-1" });
      const audit = (await c.get("/v1/audit")).body;
      expect(audit.map((e: { action: string }) => e.action)).toEqual(["order.create", "device.create"]);
      expect(audit[1]).toMatchObject({ requestId: "req-audit-1", objectKind: "device" });
      expect(JSON.stringify(audit)).not.toMatch(/ha1|passwordFingerprint/);
    } finally {
      await backend.stop();
    }
  });

  it("never writes tokens, passwords or HA1 into its logs", async () => {
    let logs = "";
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logs += chunk.toString();
        done();
      },
    });
    const backend = await start(embedded, { logLevel: "debug", logDestination: sink });
    try {
      const c = await newAccount(backend);
      const [ul, dl] = await order(c, [
        { product: "user-licence", callPlan: "pay-as-you-go" },
        { product: "sip-device-licence" },
      ]);
      const d = await c.post("/v1/devices", { name: "Desk", licenceId: dl });
      const rotated = await c.post(`/v1/devices/${d.body.id}/rotate-password`);
      await c.post("/v1/users", userBody(ul!, "201"));
      await c.post("/v1/users", userBody(ul!, "202")); // a refusal is logged too
      await new Client(backend.url, "pbx_wrong-token").get("/v1/whoami");
      const { createHash } = await import("node:crypto");
      const ha1 = createHash("md5")
        .update(`${d.body.sipUsername}:pbx-estate:${d.body.sipPassword as string}`)
        .digest("hex");
      expect(logs).toContain('"requestId"');
      for (const secret of [c.token, "pbx_wrong-token", d.body.sipPassword, rotated.body.sipPassword, ha1])
        expect(logs).not.toContain(secret);
    } finally {
      await backend.stop();
    }
  });

  it("answers 429 with Retry-After when a token exceeds its rate", async () => {
    const backend = await start(embedded, { rateLimit: { perSecond: 1, burst: 3 } });
    try {
      const c = await newAccount(backend);
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await c.get("/v1/whoami"));
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429]);
      expect(answers[3]!.body.code).toBe("rate-limited");
      expect(Number(answers[3]!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      // Another token has its own bucket.
      expect((await (await newAccount(backend)).get("/v1/whoami")).status).toBe(200);
    } finally {
      await backend.stop();
    }
  });

  it("finishes an in-flight request before it stops", async () => {
    const backend = await start(embedded);
    const c = await newAccount(backend);
    await fetch(`${backend.url}/__test/faults`, {
      method: "PUT",
      headers: testHookHeaders(backend),
      body: JSON.stringify({ rules: [{ method: "GET", path: "^/v1/whoami$", action: "hold" }] }),
    });
    const inflight = c.get("/v1/whoami");
    // Wait until the held request reached the server, then stop: stop releases it and waits for it.
    for (let i = 0; i < 500 && backend.faults?.heldCount !== 1; i++) await new Promise((r) => setTimeout(r, 10));
    expect(backend.faults?.heldCount).toBe(1);
    await backend.stop();
    expect((await inflight).status).toBe(200);
  });
});
