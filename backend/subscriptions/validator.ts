// Subscription rules that need the store: cancel only what nothing holds; reinstate only what is scheduled,
// recording a client reference only if no other subscription of the account carries it.
import { ApiError, conflict, preconditionFailed } from "../errors.ts";
import type { Tx } from "../store/schema.ts";
import type { SubscriptionRow } from "./store.ts";
import type { Holder } from "./holding.ts";

export function checkVersion(row: SubscriptionRow, ifVersion: number | undefined): void {
  if (ifVersion !== undefined && row.version !== ifVersion)
    throw preconditionFailed("subscription", row.id, row.version);
}

export function validateCancel(row: SubscriptionRow, holder: Holder | null): void {
  if (row.status === "cancelled") throw conflict("licence-cancelled", `subscription ${row.id} is already cancelled`);
  if (holder)
    throw conflict(
      "licence-held",
      `subscription ${row.id} is held by ${holder.kind} ${holder.id} (${holder.name}); remove it from the configuration first`,
      {
        holders: [holder],
      },
    );
}

export function validateReinstate(row: SubscriptionRow): void {
  if (row.status === "cancelled")
    throw conflict("licence-cancelled", `subscription ${row.id} is cancelled; its cancellation already took effect`);
  if (row.status !== "cancellation-scheduled")
    throw conflict("not-scheduled", `subscription ${row.id} has no scheduled cancellation`);
}

/**
 * No subscription of the account (other than `exceptId`) may carry any of `references`: the one an order's
 * item or a reinstatement would record. `fieldOf` names the request's field for the reference found taken.
 */
export async function requireReferencesFree(
  tx: Tx,
  accountId: string,
  references: string[],
  fieldOf: (reference: string) => string,
  exceptId?: string,
): Promise<void> {
  if (references.length === 0) return;
  let query = tx
    .selectFrom("subscriptions")
    .select(["id", "client_reference"])
    .where("account_id", "=", accountId)
    .where("client_reference", "in", references);
  if (exceptId !== undefined) query = query.where("id", "!=", exceptId);
  const taken = await query.executeTakeFirst();
  if (taken) {
    const reference = taken.client_reference ?? "";
    throw conflict("client-reference-taken", `subscription ${taken.id} already has clientReference ${reference}`, {
      existing: { kind: "subscription", id: taken.id },
      fields: [{ path: fieldOf(reference), rule: "unique", message: "already used" }],
    });
  }
}

export function validateCallPlanChange(row: SubscriptionRow): void {
  if (row.product !== "user-licence")
    throw conflict(
      "licence-wrong-product",
      `subscription ${row.id} is a ${row.product}; only a user licence carries a call plan`,
    );
  if (row.status === "cancelled") throw conflict("licence-cancelled", `subscription ${row.id} is cancelled`);
}

export function requireFound(row: SubscriptionRow | undefined, id: string): SubscriptionRow {
  if (!row) throw new ApiError(404, "not-found", `subscription ${id} does not exist in this account`);
  return row;
}
