/** What a ServiceSubscription declares, validated with the shared schemas (the order rules included). */
import { z } from "zod";
import { CallPlanId, ProductId } from "../../schemas/catalogue.ts";
import { Id } from "../../schemas/common.ts";
import { OrderCreate, OrderItem } from "../../schemas/order.ts";
import { RemovalPolicy } from "../../schemas/subscription.ts";
import type { ServiceSubscriptionArgs } from "../../sdk/service-subscription.ts";
import type { DiffSpec } from "../hook-helpers/diff.ts";
import type { SameFields } from "../../schemas/same-fields.ts";

export const SubscriptionInputs = z
  .object({
    product: ProductId,
    callPlan: CallPlanId.optional(),
    termsVersion: OrderCreate.shape.termsVersion,
    removal: RemovalPolicy.default("end-of-month"),
    claimPending: z.boolean().default(true),
    adopt: Id.optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    // The product/call-plan rules are the order's own: one schema decides them everywhere.
    const item = OrderItem.safeParse({ product: value.product, callPlan: value.callPlan });
    if (!item.success) for (const issue of item.error.issues) ctx.addIssue({ ...issue, code: "custom" });
  });
export type SubscriptionInputs = z.infer<typeof SubscriptionInputs>;

/** The SDK's arguments are these inputs: a field added to one and not the other does not compile. */
export const subscriptionArgsAreInputs: SameFields<ServiceSubscriptionArgs, SubscriptionInputs> = true;

/** What an omitted field means; recorded inputs and outputs leave these values out (see hook-helpers/defaults.ts). */
export const subscriptionDefaults = { removal: "end-of-month", claimPending: true };

export const subscriptionDiff: DiffSpec = {
  fields: Object.keys(SubscriptionInputs.shape).filter((field) => field !== "adopt"),
  replaceOn: ["product"],
  defaults: subscriptionDefaults,
  // A managed licence is active: one scheduled for cancellation outside pbx-estate is reinstated by `up`.
  liveMustBe: { status: "active" },
};
