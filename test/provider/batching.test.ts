/**
 * The provider's client sends staged writes that are made at the same time as one `POST /v1/batch`, against
 * the real backend: one HTTP request, each write with its own answer, and a retry per write.
 */
import { describe, expect, it } from "vitest";
import { ApiError, HttpClient, PbxApi } from "../../api-client/index.ts";
import { startTestBackend, TERMS } from "./harness.ts";

describe("batched requests", () => {
  it("sends writes made at the same time as one request, answers each alone, and retries only the one that failed", async () => {
    await using backend = await startTestBackend();
    const http = new HttpClient({ endpoint: backend.url, token: backend.token, baseDelayMs: 10 });
    const api = new PbxApi(http);
    try {
      const order = await api.order(
        {
          termsVersion: TERMS,
          items: [0, 1].map((i) => ({ product: "sip-device-licence" as const, clientReference: `lic-${i}` })),
        },
        "batching-order",
      );
      const [first, second] = order.subscriptions.map((s) => s.id);
      const cs = (await api.openChangeSet("batching")).id;
      // The first device's answer is lost after its commit (503): its retry must find it, not make another.
      await backend.faults({ rules: [{ method: "POST", path: "^/v1/devices$", action: "unavailable", times: 1 }] });
      const sent = http.requestsSent;
      const [a, b, held, missing] = await Promise.allSettled([
        api.createDevice(cs, { name: "A", licenceId: first!, clientReference: "dev-a" }),
        api.createDevice(cs, { name: "B", licenceId: second!, clientReference: "dev-b" }),
        api.createDevice(cs, { name: "C", licenceId: first!, clientReference: "dev-c" }),
        api.device("dev_aaaaaaaaaaaaaaaaaaaa", cs),
      ]);
      expect(http.requestsSent - sent).toBe(2); // the batch, then the one retry alone
      expect(a).toMatchObject({ status: "fulfilled", value: { device: { name: "A" }, created: false } });
      expect(b).toMatchObject({
        status: "fulfilled",
        value: { device: { name: "B", sipPassword: expect.any(String) as string }, created: true },
      });
      expect(held.status).toBe("rejected");
      expect((held as PromiseRejectedResult).reason).toBeInstanceOf(ApiError);
      expect(((held as PromiseRejectedResult).reason as ApiError).code).toBe("licence-held");
      expect(missing).toEqual({ status: "fulfilled", value: undefined });

      await api.applyChangeSet(cs);
      expect((await api.devices()).map((d) => d.name).sort()).toEqual(["A", "B"]);
      const requestLines = backend
        .logs()
        .split("\n")
        .filter((l) => l.includes('"msg":"request"') && l.includes('"method":"POST","path":"/v1/devices"'));
      expect(requestLines.filter((l) => l.includes('"batchOf"'))).toHaveLength(3);
      expect(requestLines.filter((l) => !l.includes('"batchOf"'))).toHaveLength(1); // the retry
    } finally {
      await http.close();
    }
  });
});
