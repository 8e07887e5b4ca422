// Order rules that need the store or the catalogue: terms accepted, client references free.
import type { Tx } from "../store/schema.ts";
import type { OrderCreate } from "../../schemas/order.ts";
import { ApiError } from "../errors.ts";
import { requireReferencesFree } from "../subscriptions/validator.ts";
import { requireCurrentTerms } from "../catalogue/terms.ts";

/** `termsVersion`: the catalogue's current terms, which the order must accept. */
export async function validateOrder(
  tx: Tx,
  accountId: string,
  order: OrderCreate,
  termsVersion: string,
): Promise<void> {
  requireCurrentTerms(order.termsVersion, termsVersion, "an order");
  const refs = order.items.map((i) => i.clientReference).filter((r): r is string => r !== undefined);
  const dup = refs.find((r, i) => refs.indexOf(r) !== i);
  if (dup !== undefined) {
    const at = order.items.findIndex((i, n) => i.clientReference === dup && n !== refs.indexOf(dup));
    throw new ApiError(422, "validation-failed", `clientReference ${dup} appears twice`, {
      fields: [{ path: `items.${at}.clientReference`, rule: "unique", message: "appears twice in this order" }],
    });
  }
  await requireReferencesFree(
    tx,
    accountId,
    refs,
    (taken) => `items.${order.items.findIndex((i) => i.clientReference === taken)}.clientReference`,
  );
}
