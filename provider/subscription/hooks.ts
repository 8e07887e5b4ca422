/**
 * ServiceSubscription hooks. Orders and cancellations take effect at once (they are not configuration),
 * so no change set is involved. Removal schedules the cancellation (end of month by default), accepting
 * the service terms this run accepts, and says in the engine log when it takes effect.
 */
import type { Subscription } from "../../schemas/subscription.ts";
import { ApiError } from "../../api-client/index.ts";
import { ACCEPT_TERMS_CONFIG, ACCEPT_TERMS_ENV } from "../settings.ts";
import type { ProviderContext, ResourceChanges } from "../context.ts";
import type { Inputs } from "../hook-helpers/inputs.ts";
import { confirmGone, outputsFrom, stateOf } from "../hook-helpers/outcome.ts";
import { resourceNameOf, stackOf } from "../references.ts";
import { decideCreate } from "../identity.ts";
import { plannedClaim } from "../planned-steps.ts";
import { subscriptionDefaults, SubscriptionInputs } from "./inputs.ts";

/** `john-desk-licence (sip-device-licence sub_…)`: the resource's name first, when its reference has one. */
function describe(s: Subscription, reference: unknown): string {
  const licence = `${s.product}${s.callPlan ? ` ${s.callPlan}` : ""} ${s.id}`;
  const name = resourceNameOf(reference);
  return name === undefined ? licence : `${name} (${licence})`;
}

function liveFields(s: Subscription, accountId: string, claimedFromPending: boolean): Inputs {
  return {
    product: s.product,
    callPlan: s.callPlan ?? undefined,
    clientReference: s.clientReference,
    accountId,
    status: s.status,
    priceMinor: s.monthlyPrice.amountMinor,
    currency: s.monthlyPrice.currency,
    cancellationEffectiveAt: s.cancellationEffectiveAt,
    version: s.version,
    claimedFromPending,
  };
}

/**
 * Reinstates a licence of the same product and call plan pending cancellation; If-Match makes the claim
 * exclusive. The claim records `reference` on the licence in the same write, so a retry whose first answer
 * was lost (the retried request is refused: the version moved) and a rerun after a crash (its create finds
 * the licence carrying its reference, and adopts it) hold the licence instead of ordering a second one.
 */
async function claimPending(
  ctx: ProviderContext,
  inputs: SubscriptionInputs,
  reference: string,
  planned: string | undefined,
): Promise<Subscription | undefined> {
  // Under a plan, the one licence it named (taken meanwhile: the create orders); else any candidate.
  let offered = false;
  const nextCandidate = async () => {
    if (planned === undefined) return ctx.pendingLicences.next(inputs.product, inputs.callPlan);
    if (offered) return undefined;
    offered = true;
    const named = await ctx.api.subscription(planned);
    const fits = named?.product === inputs.product && (!inputs.callPlan || named.callPlan === inputs.callPlan);
    return fits && named.status === "cancellation-scheduled" ? named : undefined;
  };
  for (let candidate = await nextCandidate(); candidate; candidate = await nextCandidate()) {
    try {
      return await ctx.api.reinstate(candidate.id, candidate.version, reference);
    } catch (error) {
      // Another client claimed it first (412), or it took effect meanwhile (409): try the next one — unless
      // the claim that moved it was this one, answered to an attempt whose answer was lost.
      if (!(error instanceof ApiError && (error.status === 412 || error.status === 409))) throw error;
      const now = await ctx.api.subscription(candidate.id);
      if (now?.status === "active" && now.clientReference === reference) return now;
    }
  }
  return undefined;
}

async function converge(ctx: ProviderContext, s: Subscription, inputs: SubscriptionInputs): Promise<Subscription> {
  let current = s;
  if (current.status === "cancellation-scheduled") current = await ctx.api.reinstate(current.id, current.version);
  if (inputs.callPlan && current.callPlan !== inputs.callPlan) {
    current = await ctx.api.changeCallPlan(current.id, inputs.callPlan, current.version);
  }
  return current;
}

export const subscriptionHooks: ResourceChanges = {
  async create(ctx, props) {
    const inputs = SubscriptionInputs.parse(stripIdentity(props));
    const base = String(props.clientReference);
    const { accountId } = await ctx.account();

    if (inputs.adopt) {
      const found = await ctx.api.subscription(inputs.adopt);
      if (!found) throw new Error(`adopt: subscription ${inputs.adopt} does not exist in account ${accountId}`);
      if (found.product !== inputs.product) {
        throw new Error(`adopt: subscription ${inputs.adopt} is a ${found.product}, not a ${inputs.product}`);
      }
      const s = await converge(ctx, found, inputs);
      return { id: s.id, outs: outputsFrom(props, liveFields(s, accountId, false), subscriptionDefaults) };
    }

    const mine = await ctx.references.subscriptions.carrying(base);
    const decision = decideCreate(
      base,
      stateOf(base, mine.length),
      mine.map((s) => ({ id: s.id, clientReference: s.clientReference, live: s.status === "active" })),
    );
    if ("adopt" in decision) {
      const s = await converge(
        ctx,
        mine.find((m) => m.id === decision.adopt.id)!,
        inputs,
      );
      return { id: s.id, outs: outputsFrom(props, liveFields(s, accountId, false), subscriptionDefaults) };
    }

    const reference = decision.create;
    const planned = plannedClaim(props.clientReference);
    if (inputs.claimPending && planned !== null) {
      const claimed = await claimPending(ctx, inputs, reference, planned);
      if (claimed) {
        await ctx.log(
          "info",
          `claimed licence ${describe(claimed, props.clientReference)}, which was pending cancellation, instead of ordering a new one`,
        );
        return { id: claimed.id, outs: outputsFrom(props, liveFields(claimed, accountId, true), subscriptionDefaults) };
      }
    }

    const s = await ctx.orders.order(
      {
        product: inputs.product,
        ...(inputs.callPlan ? { callPlan: inputs.callPlan } : {}),
        clientReference: reference,
      },
      inputs.termsVersion,
    );
    return { id: s.id, outs: outputsFrom(props, liveFields(s, accountId, false), subscriptionDefaults) };
  },

  async read(ctx, id, props) {
    const s = await ctx.reads.subscriptions.get(id, stackOf(props));
    if (!s || s.status === "cancelled") {
      if (!s) await confirmGone(ctx, "subscription", id, props);
      return {};
    }
    const { accountId } = await ctx.account();
    return {
      id,
      props: outputsFrom(
        props ?? {},
        liveFields(s, accountId, props?.claimedFromPending === true),
        subscriptionDefaults,
      ),
    };
  },

  async update(ctx, id, olds, news) {
    const inputs = SubscriptionInputs.parse(stripIdentity(news));
    const current = await ctx.api.subscription(id);
    if (!current) throw new Error(`subscription ${id} no longer exists; run \`pulumi refresh\``);
    const s = await converge(ctx, current, inputs);
    const { accountId } = await ctx.account();
    return {
      outs: outputsFrom(
        { ...news, clientReference: olds.clientReference },
        liveFields(s, accountId, olds.claimedFromPending === true),
        subscriptionDefaults,
      ),
    };
  },

  async delete(ctx, id, props) {
    const effective = props.removal === "immediately" ? "immediately" : "end-of-month";
    let s: Subscription;
    try {
      s = await ctx.api.cancel(id, { effective, termsVersion: termsForCancelling(ctx, props) });
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        await confirmGone(ctx, "subscription", id, props);
        return;
      }
      if (error instanceof ApiError && error.code === "terms-not-accepted") throw termsRefusal(id, props, error);
      throw error;
    }
    const when = s.cancellationEffectiveAt ?? s.cancelledAt;
    const account = await ctx.account();
    const message =
      s.status === "cancelled"
        ? `licence ${describe(s, props.clientReference)} cancelled immediately (${when ?? "now"})`
        : `licence ${describe(s, props.clientReference)}: cancellation scheduled, takes effect ${when} (end of the month in ${account.timeZone}; no pro-rata refund)`;
    await ctx.log("info", message);
  },
};

/**
 * The terms a cancellation accepts: those this run accepts (the estate's `acceptTerms` through the CLI, or
 * stack config pbx:acceptTerms), else those recorded when the licence was ordered. A delete sees only what
 * state recorded, so terms that changed since can only come from the run. With neither, none are sent and
 * the backend's refusal names the terms to accept.
 */
function termsForCancelling(ctx: ProviderContext, props: Inputs): string | undefined {
  const recorded = typeof props.termsVersion === "string" ? props.termsVersion : undefined;
  return ctx.acceptTerms ?? recorded;
}

/** The backend's terms refusal, said as what to do: accept the new terms where this run takes them. */
function termsRefusal(id: string, props: Inputs, error: ApiError): Error {
  const current = error.problem.acceptVersion ?? "newer than those this run accepts";
  const name = resourceNameOf(props.clientReference);
  const licence = name === undefined ? id : `${name} (${id})`;
  const where = `acceptTerms: ${JSON.stringify(error.problem.acceptVersion ?? "…")} in the estate, or for a program stack config ${ACCEPT_TERMS_CONFIG} or ${ACCEPT_TERMS_ENV}`;
  return new Error(
    `licence ${licence}: the service terms are now ${current}; accept them (${where}) to cancel; the licence was not cancelled`,
    { cause: error },
  );
}

function stripIdentity(props: Inputs): Inputs {
  const out: Inputs = {};
  for (const key of ["product", "callPlan", "termsVersion", "removal", "claimPending", "adopt"]) {
    if (props[key] !== undefined) out[key] = props[key];
  }
  return out;
}
