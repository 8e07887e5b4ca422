/**
 * Order batching on its own, against an in-memory order API that refuses one product. The real backend and
 * engine exercise the same paths in the provider suites; here the interleavings are forced.
 */
import { describe, expect, it } from "vitest";
import type { OrderCreate } from "../../schemas/order.ts";
import type { Subscription } from "../../schemas/subscription.ts";
import { OrderBatcher, type OrderApi } from "./order-batcher.ts";

class Refused extends Error {}

class InMemoryOrders implements OrderApi {
  orders: { items: string[]; key: string }[] = [];
  async order(input: OrderCreate, key: string) {
    if (input.items.some((i) => i.clientReference?.startsWith("refused"))) throw new Refused("refused");
    this.orders.push({ items: input.items.map((i) => i.clientReference ?? ""), key });
    return {
      subscriptions: input.items.map(
        (i, n) =>
          ({ id: `sub_${this.orders.length}x${n}`, clientReference: i.clientReference ?? null }) as Subscription,
      ),
    };
  }
  isRefusal(error: unknown) {
    return error instanceof Refused;
  }
}

const device = (clientReference: string) => ({ product: "sip-device-licence" as const, clientReference });

describe("order batching", () => {
  it("orders the licences asked for together in one order, each answered with its own subscription", async () => {
    const api = new InMemoryOrders();
    const batcher = new OrderBatcher(api, { lingerMs: 20 });
    const [a, b, c] = await Promise.all(["a", "b", "c"].map((r) => batcher.order(device(r), "2025-01")));
    expect(api.orders.map((o) => o.items)).toEqual([["a", "b", "c"]]);
    expect([a?.clientReference, b?.clientReference, c?.clientReference]).toEqual(["a", "b", "c"]);
  });

  it("keeps separate orders per terms version and at most maxItems per order", async () => {
    const api = new InMemoryOrders();
    const batcher = new OrderBatcher(api, { lingerMs: 20, maxItems: 2 });
    await Promise.all([
      batcher.order(device("a"), "v1"),
      batcher.order(device("b"), "v1"),
      batcher.order(device("c"), "v1"),
      batcher.order(device("d"), "v2"),
    ]);
    expect(api.orders.map((o) => o.items).sort()).toEqual([["a", "b"], ["c"], ["d"]]);
  });

  it("gives a retried identical order the same idempotency key, and different orders different keys", async () => {
    const api = new InMemoryOrders();
    const batcher = new OrderBatcher(api, { lingerMs: 1 });
    await batcher.order(device("a"), "v1");
    await batcher.order(device("a"), "v1");
    await batcher.order(device("b"), "v1");
    const [first, again, other] = api.orders.map((o) => o.key);
    expect(first).toBe(again);
    expect(other).not.toBe(first);
  });

  it("when an order is refused, orders its items one by one, so only the refused one fails", async () => {
    const api = new InMemoryOrders();
    const batcher = new OrderBatcher(api, { lingerMs: 20 });
    const results = await Promise.allSettled(["a", "refused-b", "c"].map((r) => batcher.order(device(r), "v1")));
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(api.orders.map((o) => o.items).sort()).toEqual([["a"], ["c"]]);
  });

  it("gathers what arrives while an order is in flight into the next order", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const api = new InMemoryOrders();
    const slow: OrderApi = {
      order: async (input, key) => (await gate, api.order(input, key)),
      isRefusal: (e) => api.isRefusal(e),
    };
    const batcher = new OrderBatcher(slow, { lingerMs: 1 });
    const first = batcher.order(device("a"), "v1");
    await new Promise((resolve) => setTimeout(resolve, 20)); // "a" is in flight
    const later = ["b", "c", "d"].map((r) => batcher.order(device(r), "v1"));
    release();
    await Promise.all([first, ...later]);
    expect(api.orders.map((o) => o.items)).toEqual([["a"], ["b", "c", "d"]]);
  });
});
