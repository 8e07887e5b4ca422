/**
 * Reads of single objects made at the same time (a refresh) are answered by list calls of up to 100 ids,
 * against the real backend: each read gets its own object, a missing one reads as gone, and reads asked for
 * while a call is out leave together in the next call instead of one call each.
 */
import { describe, expect, it } from "vitest";
import { HttpClient, PbxApi, ReadBatcher } from "../../api-client/index.ts";
import { startTestBackend, TERMS } from "./harness.ts";

describe("batched reads", () => {
  it("answers reads made at once with list calls of at most 100 ids, each read its own object, and sends reads made while calls are out together in the next call", async () => {
    await using backend = await startTestBackend();
    const http = new HttpClient({ endpoint: backend.url, token: backend.token });
    const api = new PbxApi(http);
    try {
      const ids: string[] = [];
      for (const part of [0, 1, 2]) {
        const items = Array.from({ length: 80 }, (_, i) => ({
          product: "sip-device-licence" as const,
          clientReference: `lic-${part}-${i}`,
        }));
        ids.push(
          ...(await api.order({ termsVersion: TERMS, items }, `read-batching-order-${part}`)).subscriptions.map(
            (s) => s.id,
          ),
        );
      }
      const missing = Array.from({ length: 10 }, (_, i) => `sub_missing${String(i).padStart(11, "0")}`);
      const calls: number[] = [];
      const reads = new ReadBatcher((batch) => {
        calls.push(batch.length);
        return api.subscriptions({ ids: batch.join(",") });
      });
      const sent = http.requestsSent;
      const answers = await Promise.all([...ids, ...missing].map((id) => reads.get(id)));

      expect(answers.slice(0, ids.length).map((s) => s?.id)).toEqual(ids);
      expect(answers.slice(ids.length)).toEqual(missing.map(() => undefined));
      expect(calls.reduce((a, b) => a + b, 0)).toBe(250);
      expect(Math.max(...calls)).toBeLessThanOrEqual(100);
      expect(calls).toHaveLength(3);
      expect(http.requestsSent - sent).toBe(3);

      // Reads asked for one by one while both calls are out (held by the backend) wait, and leave together.
      calls.length = 0;
      await backend.faults({ rules: [{ method: "GET", path: "^/v1/subscriptions$", action: "hold", times: 2 }] });
      const first = [reads.get(ids[0]!), reads.get(ids[1]!)];
      await new Promise((resolve) => setImmediate(resolve));
      const second = reads.get(ids[2]!);
      while (calls.length < 2) await new Promise((resolve) => setImmediate(resolve));
      const trickled: Promise<unknown>[] = [];
      for (const id of ids.slice(3, 63)) {
        trickled.push(reads.get(id));
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(calls).toEqual([2, 1]);
      await backend.call("POST", "/__test/faults/release");
      expect((await Promise.all([...first, second, ...trickled])).map((s) => (s as { id: string }).id)).toEqual(
        ids.slice(0, 63),
      );
      expect(calls).toEqual([2, 1, 60]);
    } finally {
      await http.close();
    }
  });
});
