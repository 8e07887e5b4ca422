// Orders: a list of licences to subscribe to, accepted against the current terms version.
import { z } from "zod";
import { AcceptedTerms, CallPlanId, ProductId } from "./catalogue.ts";
import { ClientReference, Id, Instant } from "./common.ts";
import { ruleParams } from "./problem.ts";
import { Subscription } from "./subscription.ts";

export const OrderItem = z
  .object({
    product: ProductId,
    callPlan: CallPlanId.optional().describe("required for user-licence, refused for sip-device-licence"),
    clientReference: ClientReference.optional().describe("becomes the subscription's clientReference"),
  })
  .strict()
  .superRefine((item, ctx) => {
    if (item.product === "user-licence" && item.callPlan === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["callPlan"],
        message: "a user licence needs a call plan",
        params: ruleParams("required"),
      });
    if (item.product === "sip-device-licence" && item.callPlan !== undefined)
      ctx.addIssue({
        code: "custom",
        path: ["callPlan"],
        message: "a SIP-device licence has no call plan",
        params: ruleParams("forbidden"),
      });
  });
export type OrderItem = z.infer<typeof OrderItem>;

export const OrderCreate = z
  .object({
    termsVersion: AcceptedTerms,
    items: z.array(OrderItem).min(1).max(100),
    clientReference: ClientReference.optional(),
  })
  .strict()
  .meta({ id: "OrderCreate" });
export type OrderCreate = z.infer<typeof OrderCreate>;

export const Order = z
  .object({
    id: Id,
    clientReference: z.string().nullable(),
    termsVersion: z.string(),
    createdAt: Instant,
    subscriptions: z.array(Subscription),
  })
  .meta({ id: "Order" });
export type Order = z.infer<typeof Order>;
