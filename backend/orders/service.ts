// Orders: validate, persist the order and its subscriptions, remember the answer under the Idempotency-Key.
import { LicenceWrite, licenceOf } from "../configuration/licence-write.ts";
import { createHash } from "node:crypto";
import type { Db } from "../store/schema.ts";
import type { Clock } from "../clock.ts";
import type { Order, OrderCreate } from "../../schemas/order.ts";
import type { Caller } from "../accounts/caller.ts";
import { lockAccount } from "../accounts/store.ts";
import { actorOf, writeAudit } from "../audit/store.ts";
import { ApiError, notFound } from "../errors.ts";
import { newId } from "../ids.ts";
import { monthlyPrice } from "../catalogue/service.ts";
import { subscriptionView } from "../subscriptions/store.ts";
import { validateOrder } from "./validator.ts";
import type { LiveCache } from "../configuration/cache.ts";
import type { PostCommit } from "../configuration/post-commit.ts";

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object")
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(value);
}

export class OrderService {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly cache: LiveCache;
  private readonly postCommit: PostCommit;
  /** The catalogue's current terms, which every order accepts. */
  private readonly termsVersion: string;
  constructor(deps: { db: Db; clock: Clock; cache: LiveCache; postCommit: PostCommit; termsVersion: string }) {
    this.db = deps.db;
    this.clock = deps.clock;
    this.cache = deps.cache;
    this.postCommit = deps.postCommit;
    this.termsVersion = deps.termsVersion;
  }

  /** Creates an order; with an Idempotency-Key the same key and body answer the original result. */
  async create(
    caller: Caller,
    input: OrderCreate,
    idempotencyKey: string | null,
  ): Promise<{ status: number; order: Order }> {
    const accountId = caller.account.id;
    const hash = createHash("sha256").update(canonical(input)).digest("hex");
    const licences = new LicenceWrite({ cache: this.cache, postCommit: this.postCommit }, accountId);
    return licences.settle(
      this.db.transaction().execute(async (tx) => {
        await lockAccount(tx, accountId);
        licences.take();
        if (idempotencyKey !== null) {
          const seen = await tx
            .selectFrom("idempotency")
            .selectAll()
            .where("account_id", "=", accountId)
            .where("key", "=", idempotencyKey)
            .executeTakeFirst();
          if (seen) {
            if (seen.request_hash !== hash)
              throw new ApiError(
                422,
                "idempotency-key-reused",
                `Idempotency-Key ${idempotencyKey} was used with another request body`,
              );
            return { status: seen.status, order: seen.body as Order };
          }
        }
        if (input.clientReference !== undefined) {
          const existing = await tx
            .selectFrom("orders")
            .select("id")
            .where("account_id", "=", accountId)
            .where("client_reference", "=", input.clientReference)
            .executeTakeFirst();
          if (existing) return { status: 200, order: await this.read(tx, accountId, existing.id) };
        }
        await validateOrder(tx, accountId, input, this.termsVersion);
        const now = this.clock.now();
        const orderId = newId("ord");
        await tx
          .insertInto("orders")
          .values({
            id: orderId,
            account_id: accountId,
            client_reference: input.clientReference ?? null,
            terms_version: input.termsVersion,
            created_at: now,
          })
          .execute();
        // One statement for all items: on the embedded store each statement costs about a millisecond.
        await tx
          .insertInto("subscriptions")
          .values(
            input.items.map((item, position) => {
              const price = monthlyPrice(item.product, item.callPlan ?? null);
              return {
                id: newId("sub"),
                account_id: accountId,
                order_id: orderId,
                order_position: position,
                client_reference: item.clientReference ?? null,
                product: item.product,
                call_plan: item.callPlan ?? null,
                status: "active",
                price_minor: price.amountMinor,
                currency: price.currency,
                version: 1,
                created_at: now,
                cancellation_effective_at: null,
                cancelled_at: null,
              };
            }),
          )
          .execute();
        const order = await this.read(tx, accountId, orderId);
        await writeAudit(tx, actorOf(caller), now, "order.create", "order", orderId, {
          items: input.items,
          subscriptions: order.subscriptions.map((s) => s.id),
        });
        if (idempotencyKey !== null)
          await tx
            .insertInto("idempotency")
            .values({
              account_id: accountId,
              key: idempotencyKey,
              request_hash: hash,
              status: 201,
              body: JSON.stringify(order),
              created_at: now,
            })
            .execute();
        licences.changed(order.subscriptions.map(licenceOf));
        return { status: 201, order };
      }),
    );
  }

  async get(caller: Caller, id: string): Promise<Order> {
    return this.read(this.db, caller.account.id, id);
  }

  async list(caller: Caller, clientReference?: string): Promise<Order[]> {
    let q = this.db.selectFrom("orders").select("id").where("account_id", "=", caller.account.id).orderBy("created_at");
    if (clientReference !== undefined) q = q.where("client_reference", "=", clientReference);
    const ids = await q.execute();
    const out: Order[] = [];
    for (const { id } of ids) out.push(await this.read(this.db, caller.account.id, id));
    return out;
  }

  private async read(db: Db, accountId: string, id: string): Promise<Order> {
    const o = await db
      .selectFrom("orders")
      .selectAll()
      .where("id", "=", id)
      .where("account_id", "=", accountId)
      .executeTakeFirst();
    if (!o) throw notFound("order", id);
    const subs = await db
      .selectFrom("subscriptions")
      .selectAll()
      .where("order_id", "=", id)
      .orderBy("order_position")
      .execute();
    return {
      id: o.id,
      clientReference: o.client_reference,
      termsVersion: o.terms_version,
      createdAt: o.created_at.toISOString(),
      subscriptions: subs.map((s) => subscriptionView(s, null)),
    };
  }
}
