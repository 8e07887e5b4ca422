// Service subscriptions: one licence each, with its status and holder.
import { z } from "zod";
import { AcceptedTerms, CallPlanId, ProductId } from "./catalogue.ts";
import { ClientReference, Id, IdList, Instant, Version } from "./common.ts";
import { Holder } from "./problem.ts";

export const SubscriptionStatus = z.enum(["active", "cancellation-scheduled", "cancelled"]);
export type SubscriptionStatus = z.infer<typeof SubscriptionStatus>;

export const Subscription = z
  .object({
    id: Id,
    version: Version,
    orderId: Id,
    clientReference: z.string().nullable(),
    product: ProductId,
    callPlan: CallPlanId.nullable(),
    status: SubscriptionStatus,
    monthlyPrice: z.object({ amountMinor: z.number().int(), currency: z.string() }),
    holder: Holder.nullable().describe("the live user or device holding this licence"),
    createdAt: Instant,
    cancellationEffectiveAt: Instant.nullable(),
    cancelledAt: Instant.nullable(),
  })
  .meta({ id: "Subscription" });
export type Subscription = z.infer<typeof Subscription>;

export const ReinstateRequest = z
  .object({
    clientReference: ClientReference.optional().describe(
      "becomes the subscription's clientReference: a client claiming the licence for one of its resources records the claim where a retry after a lost answer finds it",
    ),
  })
  .strict()
  .meta({ id: "ReinstateRequest" });
export type ReinstateRequest = z.infer<typeof ReinstateRequest>;

/**
 * When a cancelled licence ends: at the end of the month in the account's time zone (no pro-rata refunds),
 * or now. A cancellation's `effective`, and the removal policy of a licence an estate or program removes.
 */
export const RemovalPolicy = z.enum(["end-of-month", "immediately"]);
export type RemovalPolicy = z.infer<typeof RemovalPolicy>;

export const CancelRequest = z
  .object({
    effective: RemovalPolicy.default("end-of-month"),
    termsVersion: AcceptedTerms.describe(
      "the service terms the cancellation accepts, as an order does: must equal the catalogue's current termsVersion (422 terms-not-accepted, naming it, otherwise)",
    ),
  })
  .strict()
  .meta({ id: "CancelRequest" });
export type CancelRequest = z.infer<typeof CancelRequest>;

/**
 * A cancellation as the backend reads it: `termsVersion` may be missing here so that a client written before
 * cancellations carried the terms hears the terms rule and the version to accept (422 terms-not-accepted),
 * not only that a field is missing. The document states CancelRequest, where it is required.
 */
export const CancelRequestAsSent = CancelRequest.partial({ termsVersion: true });
export type CancelRequestAsSent = z.infer<typeof CancelRequestAsSent>;

export const CallPlanChange = z.object({ callPlan: CallPlanId }).strict().meta({ id: "CallPlanChange" });
export type CallPlanChange = z.infer<typeof CallPlanChange>;

export const SubscriptionQuery = z
  .object({
    ids: IdList.optional().describe(
      "only these subscriptions: comma-separated ids, at most 100; unknown ids are left out",
    ),
    product: ProductId.optional(),
    callPlan: CallPlanId.optional(),
    status: SubscriptionStatus.optional(),
    clientReference: z.string().optional(),
    clientReferencePrefix: z.string().min(1).optional(),
    held: z.enum(["true", "false"]).optional(),
  })
  .strict();
export type SubscriptionQuery = z.infer<typeof SubscriptionQuery>;
