/**
 * Orders with group commit. Every licence a run creates is an order item carrying its own client reference;
 * items submitted while another order is in flight (or within a short linger) are ordered together, one
 * order per terms version, at most `maxItems` at a time. An order is one write for the backend however
 * many licences it holds, which is what makes a large estate's first `up` cheap.
 *
 * Nothing can be ordered twice by batching: each subscription carries its item's reference (so a later
 * run adopts it, see identity.ts), and the idempotency key names exactly the items of the order, so a
 * retried request answers the original order. If an order is refused (4xx), its items are ordered one by
 * one, so only an item that is itself refused fails.
 */
import type { OrderCreate, OrderItem } from "../../schemas/order.ts";
import type { Subscription } from "../../schemas/subscription.ts";
import { createHash } from "node:crypto";

export interface OrderApi {
  /** Places one order; resolves with its subscriptions in item order. */
  order(input: OrderCreate, idempotencyKey: string): Promise<{ subscriptions: Subscription[] }>;
  /** True for a refusal of the order itself (bad input, terms), as opposed to a failure to reach the backend. */
  isRefusal(error: unknown): boolean;
}

export interface OrderItemWithReference extends OrderItem {
  clientReference: string;
}

interface Pending {
  item: OrderItemWithReference;
  resolve: (s: Subscription) => void;
  reject: (error: unknown) => void;
}

export interface OrderBatcherOptions {
  lingerMs?: number;
  maxItems?: number;
}

export class OrderBatcher {
  private readonly api: OrderApi;
  private readonly lingerMs: number;
  private readonly maxItems: number;
  private readonly waiting = new Map<string, Pending[]>();
  private inFlight: Promise<void> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  readonly stats = { orders: 0, itemsOrdered: 0 };

  constructor(api: OrderApi, options: OrderBatcherOptions = {}) {
    this.api = api;
    this.lingerMs = options.lingerMs ?? 10;
    this.maxItems = options.maxItems ?? 100; // the backend's limit per order
  }

  /** Orders `item` under `termsVersion`, together with whatever else is being ordered meanwhile. */
  order(item: OrderItemWithReference, termsVersion: string): Promise<Subscription> {
    return new Promise<Subscription>((resolve, reject) => {
      const queue = this.waiting.get(termsVersion) ?? [];
      queue.push({ item, resolve, reject });
      this.waiting.set(termsVersion, queue);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.timer || this.inFlight) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.inFlight = this.flush().finally(() => {
        this.inFlight = undefined;
        if (this.waiting.size > 0) this.schedule();
      });
    }, this.lingerMs);
  }

  private async flush(): Promise<void> {
    const batches: Promise<void>[] = [];
    for (const [termsVersion, queue] of this.waiting) {
      this.waiting.delete(termsVersion);
      for (let i = 0; i < queue.length; i += this.maxItems)
        batches.push(this.place(termsVersion, queue.slice(i, i + this.maxItems)));
    }
    await Promise.all(batches);
  }

  private async place(termsVersion: string, batch: Pending[], alone = false): Promise<void> {
    const items = batch.map((p) => p.item);
    const key = `order:${createHash("sha256")
      .update(JSON.stringify([termsVersion, items]))
      .digest("hex")
      .slice(0, 40)}`;
    try {
      const { subscriptions } = await this.api.order({ termsVersion, items }, key);
      this.stats.orders++;
      this.stats.itemsOrdered += items.length;
      for (const p of batch) {
        const s = subscriptions.find((x) => x.clientReference === p.item.clientReference);
        if (s) p.resolve(s);
        else p.reject(new Error(`the order answered without a subscription for ${p.item.clientReference}`));
      }
    } catch (error) {
      if (!alone && batch.length > 1 && this.api.isRefusal(error)) {
        await Promise.all(batch.map((p) => this.place(termsVersion, [p], true)));
        return;
      }
      for (const p of batch) p.reject(error);
    }
  }
}
