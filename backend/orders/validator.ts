// Order rules that need the store or the catalogue: terms accepted, client references free.
import type { Tx } from "../store/schema.ts";
import type { OrderCreate } from "../../schemas/order.ts";
import { ApiError, conflict } from "../errors.ts";
import { TERMS_VERSION } from "../catalogue/service.ts";

export async function validateOrder(tx: Tx, accountId: string, order: OrderCreate): Promise<void> {
  if (order.termsVersion !== TERMS_VERSION)
    throw new ApiError(422, "terms-not-accepted", `accept the current terms version ${TERMS_VERSION}`, {
      acceptVersion: TERMS_VERSION,
      fields: [{ path: "termsVersion", rule: "current-terms", message: `must be ${TERMS_VERSION}` }],
    });
  const refs = order.items.map((i) => i.clientReference).filter((r): r is string => r !== undefined);
  const dup = refs.find((r, i) => refs.indexOf(r) !== i);
  if (dup !== undefined) {
    const at = order.items.findIndex((i, n) => i.clientReference === dup && n !== refs.indexOf(dup));
    throw new ApiError(422, "validation-failed", `clientReference ${dup} appears twice`, {
      fields: [{ path: `items.${at}.clientReference`, rule: "unique", message: "appears twice in this order" }],
    });
  }
  if (refs.length > 0) {
    const taken = await tx.selectFrom("subscriptions").select(["id", "client_reference"]).where("account_id", "=", accountId).where("client_reference", "in", refs).executeTakeFirst();
    if (taken)
      throw conflict("client-reference-taken", `subscription ${taken.id} already has clientReference ${taken.client_reference ?? ""}`, {
        existing: { kind: "subscription", id: taken.id },
        fields: [{ path: `items.${order.items.findIndex((i) => i.clientReference === taken.client_reference)}.clientReference`, rule: "unique", message: "already used" }],
      });
  }
}
