// Subscriptions in the store, and the lazy settling of cancellations that fell due.
import type { Db, Tx, SubscriptionsTable } from "../store/schema.ts";
import type { Selectable } from "kysely";
import type { Subscription } from "../../schemas/subscription.ts";
import type { CallPlanId, ProductId } from "../../schemas/catalogue.ts";
import type { Holder } from "./holding.ts";

export type SubscriptionRow = Selectable<SubscriptionsTable>;

/** Due cancellations take effect by themselves: every read and write of licences settles them first. */
export async function settleDue(db: Db | Tx, accountId: string, now: Date): Promise<number> {
  const r = await db
    .updateTable("subscriptions")
    .set((eb) => ({
      status: "cancelled",
      cancelled_at: eb.ref("cancellation_effective_at"),
      version: eb("version", "+", 1),
    }))
    .where("account_id", "=", accountId)
    .where("status", "=", "cancellation-scheduled")
    .where("cancellation_effective_at", "<=", now)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Whether a context (possibly cached) holds a scheduled cancellation that is due at `now`. */
export function anyDue(
  licences: Iterable<{ status: string; cancellationEffectiveAt: Date | null }>,
  now: Date,
): boolean {
  for (const l of licences)
    if (l.status === "cancellation-scheduled" && l.cancellationEffectiveAt !== null && l.cancellationEffectiveAt <= now)
      return true;
  return false;
}

/** Holders by licence id: of every licence of the account, or only of `licenceIds`. */
export async function holdersOf(
  db: Db | Tx,
  accountId: string,
  licenceIds?: readonly string[],
): Promise<Map<string, Holder>> {
  let dq = db.selectFrom("devices").select(["id", "name", "licence_id"]).where("account_id", "=", accountId);
  let uq = db.selectFrom("users").select(["id", "name", "licence_id"]).where("account_id", "=", accountId);
  if (licenceIds !== undefined) {
    if (licenceIds.length === 0) return new Map();
    dq = dq.where("licence_id", "in", licenceIds);
    uq = uq.where("licence_id", "in", licenceIds);
  }
  const devices = await dq.execute();
  const users = await uq.execute();
  const out = new Map<string, Holder>();
  for (const d of devices) out.set(d.licence_id, { kind: "device", id: d.id, name: d.name });
  for (const u of users) out.set(u.licence_id, { kind: "user", id: u.id, name: u.name });
  return out;
}

/** The holder of one licence (both tables have a unique index on licence_id). */
export async function holderOf(db: Db | Tx, accountId: string, licenceId: string): Promise<Holder | null> {
  const device = await db
    .selectFrom("devices")
    .select(["id", "name"])
    .where("account_id", "=", accountId)
    .where("licence_id", "=", licenceId)
    .executeTakeFirst();
  if (device) return { kind: "device", ...device };
  const user = await db
    .selectFrom("users")
    .select(["id", "name"])
    .where("account_id", "=", accountId)
    .where("licence_id", "=", licenceId)
    .executeTakeFirst();
  return user ? { kind: "user", ...user } : null;
}

export function subscriptionView(r: SubscriptionRow, holder: Holder | null): Subscription {
  return {
    id: r.id,
    version: r.version,
    orderId: r.order_id,
    clientReference: r.client_reference,
    product: r.product as ProductId,
    callPlan: r.call_plan as CallPlanId | null,
    status: r.status as Subscription["status"],
    monthlyPrice: { amountMinor: r.price_minor, currency: r.currency },
    holder,
    createdAt: r.created_at.toISOString(),
    cancellationEffectiveAt: r.cancellation_effective_at?.toISOString() ?? null,
    cancelledAt: r.cancelled_at?.toISOString() ?? null,
  };
}
