/**
 * A refresh's reads answered from one listing of the stack's objects per kind, against the real backend:
 * each read gets its own object, ids the listing lacks (no stack reference, cancelled, gone) are read by id,
 * and no read answers from a listing older than this process's own write or than the window.
 */
import { describe, expect, it } from "vitest";
import { HttpClient, PbxApi } from "../../api-client/index.ts";
import { resourceReads } from "../../provider/reads/resource-reads.ts";
import type { Subscription, SubscriptionQuery } from "../../schemas/subscription.ts";
import { startTestBackend, TERMS, type TestBackend } from "./harness.ts";

const STACK = "pbx:0a1b2c3d:";
const OTHER_STACK = "pbx:99999999:";

/** The real API, counting the subscription listings by stack prefix and the ids read by id. */
class CountingApi extends PbxApi {
  listings = 0;
  byId: string[] = [];
  override async subscriptions(query: SubscriptionQuery = {}): Promise<Subscription[]> {
    if (query.clientReferencePrefix !== undefined) this.listings++;
    if (query.ids !== undefined) this.byId.push(...query.ids.split(","));
    return super.subscriptions(query);
  }
}

async function orderLicences(api: PbxApi, key: string, references: (string | undefined)[]): Promise<string[]> {
  const items = references.map((clientReference) => ({
    product: "sip-device-licence" as const,
    ...(clientReference ? { clientReference } : {}),
  }));
  return (await api.order({ termsVersion: TERMS, items }, key)).subscriptions.map((s) => s.id);
}

async function setUp(backend: TestBackend, options: { maxAttempts?: number } = {}) {
  const http = new HttpClient({ endpoint: backend.url, token: backend.token, ...options });
  const api = new CountingApi(http);
  const ours = await orderLicences(
    api,
    "stack-reads-ours",
    Array.from({ length: 40 }, (_, i) => `${STACK}lic-${i}.digest`),
  );
  const others = await orderLicences(
    api,
    "stack-reads-others",
    Array.from({ length: 5 }, (_, i) => `${OTHER_STACK}lic-${i}.digest`),
  );
  const portal = await orderLicences(api, "stack-reads-portal", [undefined, undefined, undefined]);
  let now = 0;
  const clock = { now: () => now, advance: (ms: number) => (now += ms) };
  const reads = resourceReads(api, http, { maxAgeMs: 5_000, now: clock.now });
  api.listings = 0;
  return { http, api, reads, ours, others, portal, clock };
}

describe("reads answered from a listing of the stack", () => {
  it("answers a stack's reads made together with one listing, and reads by id only what the listing lacks", async () => {
    await using backend = await startTestBackend();
    const { http, api, reads, ours, others, portal } = await setUp(backend);
    try {
      const missing = "sub_missing000000000000";
      const answers = await Promise.all([
        ...ours.map((id) => reads.subscriptions.get(id, STACK)),
        ...portal.map((id) => reads.subscriptions.get(id, undefined)),
        reads.subscriptions.get(missing, STACK),
      ]);

      expect(answers.slice(0, ours.length).map((s) => s?.id)).toEqual(ours);
      expect(answers.slice(ours.length, -1).map((s) => s?.id)).toEqual(portal);
      expect(answers.at(-1)).toBeUndefined();
      expect(api.listings).toBe(2); // live and scheduled licences of the stack: one listing
      expect(api.byId.sort()).toEqual([...portal, missing].sort());

      // Another stack's objects are not in this stack's listing: read by id, still answered.
      api.byId = [];
      expect((await reads.subscriptions.get(others[0]!, STACK))?.id).toBe(others[0]);
      expect(api.byId).toEqual([others[0]]);
    } finally {
      await http.close();
    }
  });

  it("reads by id after this process writes, and lists again only when the window has passed", async () => {
    await using backend = await startTestBackend();
    const { http, api, reads, ours, clock } = await setUp(backend);
    try {
      const [first, second] = [ours[0]!, ours[1]!];
      expect((await reads.subscriptions.get(first, STACK))?.status).toBe("active");
      expect(api.listings).toBe(2);

      // This process cancels the licence: the listing no longer answers, the read by id sees the change.
      const before = await reads.subscriptions.get(first, STACK);
      await api.cancel(first, { effective: "end-of-month", termsVersion: TERMS }, before?.version);
      expect((await reads.subscriptions.get(first, STACK))?.status).toBe("cancellation-scheduled");
      expect((await reads.subscriptions.get(second, STACK))?.id).toBe(second);
      expect(api.listings).toBe(2);
      expect(api.byId).toEqual([first, second]);

      // Past the window the stack is listed again, and a change made elsewhere meanwhile is seen.
      const elsewhere = await backend.call<Subscription>("POST", `/v1/subscriptions/${second}/cancel`, {
        effective: "immediately",
        termsVersion: TERMS,
      });
      expect(elsewhere.status).toBe(200);
      clock.advance(5_001);
      api.byId = [];
      const [again, cancelled] = await Promise.all([
        reads.subscriptions.get(first, STACK),
        reads.subscriptions.get(second, STACK),
      ]);
      expect(api.listings).toBe(4);
      expect(again?.status).toBe("cancellation-scheduled");
      expect(cancelled?.status).toBe("cancelled"); // no longer live, so not listed: read by id
      expect(api.byId).toEqual([second]);
    } finally {
      await http.close();
    }
  });

  it("asks for no listing while a write of this process is unanswered", async () => {
    await using backend = await startTestBackend();
    const { http, api, reads, ours } = await setUp(backend);
    try {
      await backend.faults({ rules: [{ method: "POST", path: "/cancel$", action: "hold" }] });
      const cancelling = api.cancel(ours[0]!, { effective: "end-of-month", termsVersion: TERMS });
      while (http.writes.inFlight === 0) await new Promise((resolve) => setImmediate(resolve));
      expect((await reads.subscriptions.get(ours[1]!, STACK))?.id).toBe(ours[1]);
      expect(api.listings).toBe(0);
      await backend.call("POST", "/__test/faults/release");
      expect((await cancelling).status).toBe("cancellation-scheduled");
    } finally {
      await http.close();
    }
  });

  it("answers by id when the listing fails (a 503 without retries, injected), and lists no more until the window has passed", async () => {
    await using backend = await startTestBackend();
    const { http, api, reads, ours } = await setUp(backend, { maxAttempts: 1 });
    try {
      await backend.faults({ rules: [{ method: "GET", path: "^/v1/subscriptions$", action: "unavailable" }] });
      expect((await reads.subscriptions.get(ours[0]!, STACK))?.id).toBe(ours[0]);
      expect(api.byId).toEqual([ours[0]]);
      // Within the failed listing's window the stack is not listed again: reads go by id.
      expect((await reads.subscriptions.get(ours[1]!, STACK))?.id).toBe(ours[1]);
      expect(api.listings).toBe(2);
      expect(api.byId).toEqual([ours[0], ours[1]]);
    } finally {
      await http.close();
    }
  });
});
