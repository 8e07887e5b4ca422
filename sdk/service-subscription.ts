/** A service subscription: one user licence (with its call plan) or one SIP-device licence. */
import * as pulumi from "@pulumi/pulumi";
import type { CallPlanId, ProductId } from "../schemas/catalogue.ts";
import type { RemovalPolicy, SubscriptionStatus } from "../schemas/subscription.ts";
import { pbxInputs, skipPromiseStackTraces } from "./pbx-resource.ts";
import { pbxTypeToken } from "./pbx-type.ts";

export type { RemovalPolicy };

export interface ServiceSubscriptionArgs {
  product: pulumi.Input<ProductId>;
  /** Required for a user licence; changing it changes the licence in place (no second licence). */
  callPlan?: pulumi.Input<CallPlanId>;
  /**
   * The service terms and conditions version this order accepts (the catalogue names the current one). Its
   * cancellation accepts it too, unless the run accepts newer terms (stack config pbx:acceptTerms or
   * PBX_ACCEPT_TERMS); changing it changes nothing but what state records.
   */
  termsVersion: pulumi.Input<string>;
  /**
   * When the licence is removed: `end-of-month` (default) schedules the cancellation for the end of the
   * last calendar day of the month in the account's time zone (no pro-rata refunds); `immediately` ends it now.
   */
  removal?: pulumi.Input<RemovalPolicy>;
  /**
   * Claim (reinstate) an identical licence of this account that is pending cancellation instead of ordering
   * a new one. Default true.
   */
  claimPending?: pulumi.Input<boolean>;
  /** Bring an existing subscription (made in the portal) under management instead of ordering one. */
  adopt?: pulumi.Input<string>;
}

export class ServiceSubscription extends pulumi.CustomResource {
  declare readonly product: pulumi.Output<ProductId>;
  declare readonly callPlan: pulumi.Output<CallPlanId | undefined>;
  declare readonly status: pulumi.Output<SubscriptionStatus>;
  /** Monthly price in minor units of `currency` (pence, cents). */
  declare readonly priceMinor: pulumi.Output<number>;
  declare readonly currency: pulumi.Output<string>;
  /** True when this licence was a pending cancellation claimed back instead of a new order. */
  declare readonly claimedFromPending: pulumi.Output<boolean>;

  constructor(name: string, args: ServiceSubscriptionArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = { status: undefined, priceMinor: undefined, currency: undefined, claimedFromPending: undefined };
    const restoreStackTraces = skipPromiseStackTraces();
    try {
      // Directly under CustomResource, so that the declaring line recorded is the caller's (./pbx-resource.ts).
      super(
        pbxTypeToken("ServiceSubscription"),
        name,
        pbxInputs("subscription", "ServiceSubscription", name, { ...args, ...outputs }),
        opts,
      );
    } finally {
      restoreStackTraces();
    }
  }
}
