/**
 * Which licence pending cancellation each new licence of the apply claims instead of ordering. The provider
 * reinstates one of the same product and call plan for a new licence with `claimPending` (the SDK's
 * default; provider/subscription/hooks.ts), taking candidates from `pendingLicencesOf` in its order, oldest
 * first (provider/subscription/pending.ts). The plan asks the very same code, with the creates in the order
 * the apply's creates ask it.
 *
 * What this guarantees, when no other client touches those licences between the plan and the apply: how
 * many new licences of each product and call plan are claimed rather than ordered, and which licences they
 * are (the first ones listed; each is offered to one create only, and every claim is a conditional write
 * that succeeds when nobody else moved the licence). What it does not: which of several new holders of the
 * same product and call plan gets which of those licences. The engine starts those creates at once, in the
 * estate's order, but they reach the provider's listing in whatever order their requests complete, so two
 * holders may swap. A licence another client reinstates or claims meanwhile, or whose cancellation takes
 * effect, is refused at the claim: the provider tries the next one, or orders.
 *
 * A licence the stack keeps (an unchanged or updated licence resource, or one a create takes over by `adopt`)
 * is never a candidate, even when it is pending cancellation: its own resource reinstates it in the same run.
 * The apply claims exactly what the plan names (`plannedClaims`, provider/planned-steps.ts).
 */
import { CallPlanId, ProductId } from "../../../schemas/catalogue.ts";
import type { ResolvedEstate } from "../../../schemas/estate.ts";
import type { Subscription } from "../../../schemas/subscription.ts";
import { estateNames } from "../../../sdk/estate-resources.ts";
import { adoptedBy, holderOf, isLicence, localDate } from "./licences.ts";
import type { LicenceClaim } from "./model.ts";
import type { EstateStep } from "./steps.ts";

/** The provider's candidates (`PendingLicences`): each call offers the next licence not offered yet. */
export interface ClaimCandidates {
  next(product: ProductId, callPlan: CallPlanId | undefined): Promise<Subscription | undefined>;
}

/**
 * The logical names of the estate's licences in the order the estate program declares them (sdk/estate.ts):
 * per user its licence, then each of its devices' licences. The engine registers and starts creates so.
 */
function declarationOrder(estate: ResolvedEstate): Map<string, number> {
  const order = new Map<string, number>();
  for (const user of estate.users) {
    order.set(estateNames.userLicence(user.key), order.size);
    for (const device of user.devices) order.set(estateNames.deviceLicence(device.key), order.size);
  }
  return order;
}

/**
 * A licence the apply creates and that would claim: a create (or a replacement's create) neither taking
 * over a licence by `adopt` nor adopting one an earlier run of this stack made, with `claimPending` true
 * (left out of the inputs when it is the default).
 */
export function claiming(
  step: EstateStep,
  madeByStack: readonly Subscription[],
): step is EstateStep & Required<Pick<EstateStep, "new">> {
  if (!isLicence(step) || (step.op !== "create" && step.op !== "replace") || !step.new) return false;
  const inputs = step.new.inputs;
  return inputs.adopt === undefined && inputs.claimPending !== false && !adoptedBy(step, madeByStack);
}

/** The licences the stack goes on holding through this apply: never a claim's candidate. */
function keptByStack(steps: readonly EstateStep[]): Set<string> {
  const kept = new Set<string>();
  for (const step of steps.filter(isLicence)) {
    if ((step.op === "same" || step.op === "update") && step.old?.id) kept.add(step.old.id);
    if (typeof step.new?.inputs.adopt === "string") kept.add(step.new.inputs.adopt);
  }
  return kept;
}

/**
 * What each claiming create of the apply claims, by client reference: the licence the plan names, or null
 * when it orders (the planned-steps file carries it to the provider).
 */
export function plannedClaims(
  steps: readonly EstateStep[],
  claims: readonly LicenceClaim[],
  madeByStack: readonly Subscription[],
): Map<string, string | null> {
  const byHolder = new Map(claims.map((c) => [`${c.for.kind}/${c.for.key}`, c.subscriptionId]));
  const planned = new Map<string, string | null>();
  for (const step of steps) {
    const reference = step.new?.inputs.clientReference;
    if (!claiming(step, madeByStack) || typeof reference !== "string") continue;
    const holder = holderOf(step);
    planned.set(reference, byHolder.get(`${holder.kind}/${holder.key}`) ?? null);
  }
  return planned;
}

export async function predictClaims(
  steps: readonly EstateStep[],
  context: {
    estate: ResolvedEstate;
    candidates: ClaimCandidates;
    madeByStack: readonly Subscription[];
    timeZone: string;
  },
): Promise<LicenceClaim[]> {
  const order = declarationOrder(context.estate);
  const rank = (step: EstateStep) => order.get(step.name) ?? order.size;
  const creates = steps
    .filter((step) => claiming(step, context.madeByStack))
    .sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
  const claims: LicenceClaim[] = [];
  const kept = keptByStack(steps);
  // One at a time, in order: each call takes the next candidate of its kind, as the apply's creates do.
  for (const step of creates) {
    const product = ProductId.safeParse(step.new.inputs.product);
    const callPlan = CallPlanId.optional().safeParse(step.new.inputs.callPlan);
    if (!product.success || !callPlan.success) continue;
    let claimed = await context.candidates.next(product.data, callPlan.data);
    while (claimed && kept.has(claimed.id)) claimed = await context.candidates.next(product.data, callPlan.data);
    if (!claimed) continue;
    const ends = claimed.cancellationEffectiveAt;
    claims.push({
      for: holderOf(step),
      product: claimed.product,
      callPlan: claimed.callPlan,
      subscriptionId: claimed.id,
      lastDay: ends ? localDate(context.timeZone, new Date(Date.parse(ends) - 1)) : null,
      monthlyPriceMinor: claimed.monthlyPrice.amountMinor,
    });
  }
  return claims;
}
