/**
 * Licences of the account pending cancellation, which a new licence of the same kind claims instead of
 * ordering (see hooks.ts). Listed once per process and kind: a claim is conditional (If-Match), so a
 * candidate another client took meanwhile is refused and the next one tried; each is offered once.
 */
import type { CallPlanId, ProductId } from "../../schemas/catalogue.ts";
import type { Subscription, SubscriptionQuery } from "../../schemas/subscription.ts";

export class PendingLicences {
  private readonly list: (product: ProductId, callPlan: CallPlanId | undefined) => Promise<Subscription[]>;
  private readonly lists = new Map<string, Promise<Subscription[]>>();
  private readonly offered = new Set<string>();

  constructor(list: (product: ProductId, callPlan: CallPlanId | undefined) => Promise<Subscription[]>) {
    this.list = list;
  }

  /** The next candidate not yet offered in this process, oldest first as listed. */
  async next(product: ProductId, callPlan: CallPlanId | undefined): Promise<Subscription | undefined> {
    const key = `${product}/${callPlan ?? ""}`;
    let listed = this.lists.get(key);
    if (!listed) {
      listed = this.list(product, callPlan);
      this.lists.set(key, listed);
      listed.catch(() => this.lists.delete(key));
    }
    const candidate = (await listed).find((s) => !this.offered.has(s.id));
    if (candidate) this.offered.add(candidate.id);
    return candidate;
  }
}

/**
 * The candidates a new licence claims: the account's licences of its product and call plan pending
 * cancellation, in the order the backend lists them. The CLI's plan names the same ones (provider/contract.ts).
 */
export function pendingLicencesOf(api: {
  subscriptions(query: SubscriptionQuery): Promise<Subscription[]>;
}): PendingLicences {
  return new PendingLicences((product, callPlan) =>
    api.subscriptions({ product, status: "cancellation-scheduled", ...(callPlan ? { callPlan } : {}) }),
  );
}
