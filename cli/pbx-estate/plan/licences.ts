/**
 * The money side of a plan: licences ordered, reinstated (scheduled for cancellation in the portal),
 * claimed (a new licence reinstating one pending cancellation, see claims.ts), cancelled (and when each cancellation takes effect) and re-priced by a call-plan change, and the monthly
 * cost before and after, from the catalogue's prices and the prices the live licences carry.
 */
import { endOfMonth } from "../../../backend/month-end.ts";
import { decideCreate } from "../../../provider/contract.ts";
import type { Catalogue } from "../../../schemas/catalogue.ts";
import type { RemovalPolicy, Subscription } from "../../../schemas/subscription.ts";
import type {
  CallPlanChange,
  CostDelta,
  LicenceAdoption,
  LicenceCancellation,
  LicenceClaim,
  LicenceHolder,
  LicenceOrder,
  LicenceReinstatement,
} from "./model.ts";
import type { EstateStep } from "./steps.ts";

export interface PricingContext {
  catalogue: Catalogue;
  timeZone: string;
  now: Date;
  /**
   * The live licences whose client reference names this stack (see provider/references.ts). A licence to
   * create that the provider will adopt from these, as it decides, is planned as adopted, not ordered.
   */
  madeByStack?: readonly Subscription[];
  /**
   * The licences pending cancellation the apply's new licences claim instead of ordering (claims.ts): a
   * licence to create with a claim here is planned as that claim, not as an order.
   */
  claims?: readonly LicenceClaim[];
}

/** The licence an apply's create will adopt rather than order: the provider's own decision for a first create. */
export function adoptedBy(step: EstateStep, made: readonly Subscription[]): Subscription | undefined {
  const base = step.new?.inputs.clientReference;
  if (step.op !== "create" || typeof base !== "string" || made.length === 0) return undefined;
  const candidates = made.map((s) => ({ id: s.id, clientReference: s.clientReference, live: s.status === "active" }));
  const decision = decideCreate(base, false, candidates);
  return "adopt" in decision ? made.find((s) => s.id === decision.adopt.id) : undefined;
}

/** Monthly price of a licence in minor units: the product's price plus its call plan's. */
export function monthlyPriceMinor(catalogue: Catalogue, product: string, callPlan: string | null): number {
  const item = catalogue.products.find((p) => p.id === product);
  const plan = item?.carriesCallPlan && callPlan ? catalogue.callPlans.find((c) => c.id === callPlan) : undefined;
  return (item?.monthlyPrice.amountMinor ?? 0) + (plan?.monthlyPrice.amountMinor ?? 0);
}

export function currencyOf(catalogue: Catalogue): string {
  return catalogue.products[0]?.monthlyPrice.currency ?? "GBP";
}

/** `YYYY-MM-DD` of an instant in a time zone. */
export function localDate(timeZone: string, at: Date): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(at);
}

/**
 * When a cancellation requested now takes effect: `end-of-month` at the end of the last calendar day of
 * this month in the account's time zone (no pro-rata refunds), `immediately` when it is applied.
 */
export function cancellationTiming(
  removal: RemovalPolicy,
  timeZone: string,
  now: Date,
): { at: string | null; lastDay: string } {
  if (removal === "immediately") return { at: null, lastDay: localDate(timeZone, now) };
  const at = endOfMonth(timeZone, now);
  return { at: at.toISOString(), lastDay: localDate(timeZone, new Date(at.getTime() - 1)) };
}

const str = (value: unknown): string | null => (typeof value === "string" ? value : null);

export function holderOf(step: EstateStep): LicenceHolder {
  return { kind: step.kind === "user-licence" ? "user" : "device", key: step.key };
}

export function isLicence(step: EstateStep): boolean {
  return step.kind === "user-licence" || step.kind === "device-licence";
}

export interface LicenceChanges {
  orders: LicenceOrder[];
  adoptions: LicenceAdoption[];
  reinstatements: LicenceReinstatement[];
  claims: LicenceClaim[];
  cancellations: LicenceCancellation[];
  callPlanChanges: CallPlanChange[];
  cost: CostDelta;
}

const holderName = (holder: LicenceHolder) => `${holder.kind}/${holder.key}`;

export function licenceChanges(steps: readonly EstateStep[], context: PricingContext): LicenceChanges {
  const { catalogue } = context;
  const licences = steps.filter(isLicence);
  const orders: LicenceOrder[] = [];
  const adoptions: LicenceAdoption[] = [];
  const reinstatements: LicenceReinstatement[] = [];
  const claims: LicenceClaim[] = [];
  const claimFor = new Map((context.claims ?? []).map((c) => [holderName(c.for), c]));
  const cancellations: LicenceCancellation[] = [];
  const callPlanChanges: CallPlanChange[] = [];
  let currentMonthlyMinor = 0;

  for (const step of licences) {
    const before = step.old?.outputs;
    const active = before?.status === "active";
    const livePrice = typeof before?.priceMinor === "number" ? before.priceMinor : 0;
    if (active) currentMonthlyMinor += livePrice;

    const adopted = adoptedBy(step, context.madeByStack ?? []);
    const claim = step.op === "create" || step.op === "replace" ? claimFor.get(holderName(holderOf(step))) : undefined;
    if (adopted && step.new) {
      // Billed already: counted in today's cost; the apply only moves it to the declared call plan.
      const livePrice = adopted.monthlyPrice.amountMinor;
      currentMonthlyMinor += livePrice;
      adoptions.push({
        for: holderOf(step),
        product: adopted.product,
        callPlan: adopted.callPlan,
        subscriptionId: adopted.id,
        monthlyPriceMinor: livePrice,
      });
      const declared = str(step.new.inputs.callPlan);
      if (declared !== null && declared !== adopted.callPlan) {
        const price = monthlyPriceMinor(catalogue, adopted.product, declared);
        callPlanChanges.push({
          user: step.key,
          from: adopted.callPlan,
          to: declared,
          monthlyDeltaMinor: price - livePrice,
        });
      }
    } else if (claim && step.new) {
      // Not the estate's yet and pending cancellation, so not in today's cost; it runs on: counted after.
      claims.push(claim);
    } else if ((step.op === "create" || step.op === "replace") && step.new) {
      const product = str(step.new.inputs.product) ?? "";
      const callPlan = str(step.new.inputs.callPlan);
      orders.push({
        for: holderOf(step),
        product,
        callPlan,
        monthlyPriceMinor: monthlyPriceMinor(catalogue, product, callPlan),
      });
    }
    if ((step.op === "delete" || step.op === "replace") && step.old && before) {
      const removal = (step.old.inputs.removal ?? before.removal) === "immediately" ? "immediately" : "end-of-month";
      const scheduled = str(before.cancellationEffectiveAt);
      const timing = scheduled
        ? { at: scheduled, lastDay: localDate(context.timeZone, new Date(Date.parse(scheduled) - 1)) }
        : cancellationTiming(removal, context.timeZone, context.now);
      cancellations.push({
        for: holderOf(step),
        product: str(before.product) ?? "",
        callPlan: str(before.callPlan),
        subscriptionId: step.old.id,
        removal,
        takesEffectAt: timing.at,
        lastDay: timing.lastDay,
        monthlyPriceMinor: active ? livePrice : 0,
      });
    }
    // The update of a licence scheduled for cancellation reinstates it (provider/subscription/hooks.ts).
    const reinstated = step.op === "update" && before?.status === "cancellation-scheduled";
    if (reinstated && step.old && before) {
      const scheduled = str(before.cancellationEffectiveAt);
      reinstatements.push({
        for: holderOf(step),
        product: str(before.product) ?? "",
        callPlan: str(before.callPlan),
        subscriptionId: step.old.id,
        lastDay: scheduled ? localDate(context.timeZone, new Date(Date.parse(scheduled) - 1)) : null,
        monthlyPriceMinor: livePrice,
      });
    }
    if (step.op === "update" && step.new && before) {
      const from = str(before.callPlan);
      const to = str(step.new.inputs.callPlan);
      if (to !== null && from !== to) {
        const price = monthlyPriceMinor(catalogue, str(before.product) ?? "", to);
        callPlanChanges.push({
          user: step.key,
          from,
          to,
          monthlyDeltaMinor: active || reinstated ? price - livePrice : 0,
        });
      }
    }
  }

  const monthlyDeltaMinor =
    orders.reduce((sum, o) => sum + o.monthlyPriceMinor, 0) +
    reinstatements.reduce((sum, r) => sum + r.monthlyPriceMinor, 0) +
    claims.reduce((sum, c) => sum + c.monthlyPriceMinor, 0) -
    cancellations.reduce((sum, c) => sum + c.monthlyPriceMinor, 0) +
    callPlanChanges.reduce((sum, c) => sum + c.monthlyDeltaMinor, 0);
  const byHolder = (a: { for: LicenceHolder }, b: { for: LicenceHolder }) =>
    a.for.kind.localeCompare(b.for.kind) || a.for.key.localeCompare(b.for.key);
  return {
    orders: orders.sort(byHolder),
    adoptions: adoptions.sort(byHolder),
    reinstatements: reinstatements.sort(byHolder),
    claims: claims.sort(byHolder),
    cancellations: cancellations.sort(byHolder),
    callPlanChanges: callPlanChanges.sort((a, b) => a.user.localeCompare(b.user)),
    cost: {
      currency: currencyOf(catalogue),
      currentMonthlyMinor,
      monthlyDeltaMinor,
      newMonthlyMinor: currentMonthlyMinor + monthlyDeltaMinor,
    },
  };
}
