/**
 * What `pbx-estate apply` with the same files does about the drift found, one line per kind of change and
 * object, saying what the provider's hooks really do (provider/device/hooks.ts, provider/subscription/
 * hooks.ts) and what it costs where money moves. Every line is followed, literally, by
 * test/cli/drift-advice.test.ts. The lines hold only keys, ids, catalogue names, prices and dates: nothing a
 * user or the portal can spell, so they are safe in a terminal and in Markdown as they are.
 */
import type { Catalogue } from "../../../schemas/catalogue.ts";
import { currencyOf, localDate, monthlyPriceMinor } from "../plan/licences.ts";
import { productName } from "../plan/render-text.ts";
import type { EstateStep } from "../plan/steps.ts";
import { formatMoney } from "../plan/values.ts";
import type { DriftEntry } from "./report.ts";

export interface AdviceContext {
  catalogue: Catalogue;
  /** The account's, in which a cancellation's last day is said. */
  timeZone: string;
}

/** Fields whose own line says what apply does; any other changed field is simply set back. */
const ownLine = new Set(["password", "status"]);

const str = (value: unknown): string | null => (typeof value === "string" ? value : null);

function licenceName(product: string | null, callPlan: string | null): string {
  return `${productName(product ?? "")}${callPlan ? ` (${callPlan})` : ""}`;
}

function holderOf(entry: DriftEntry): string {
  return entry.holder ? `${entry.holder.kind} ${entry.holder.key}` : `${entry.kind} ${entry.key}`;
}

/** A licence scheduled for cancellation outside pbx-estate: the update reinstates that very licence. */
function reinstated(entry: DriftEntry, step: EstateStep, context: AdviceContext): string {
  const live = step.new?.outputs ?? {};
  const price =
    typeof live.priceMinor === "number"
      ? formatMoney(live.priceMinor, str(live.currency) ?? currencyOf(context.catalogue))
      : "its price";
  const due = str(live.cancellationEffectiveAt);
  const when = due
    ? ` due at the end of ${localDate(context.timeZone, new Date(Date.parse(due) - 1))} (${context.timeZone})`
    : "";
  return (
    `reinstates the ${licenceName(str(live.product), str(live.callPlan))} of ${holderOf(entry)} (${step.old?.id ?? "?"}), ` +
    `withdrawing its cancellation${when}: it keeps running at ${price} a month, and nothing is ordered`
  );
}

/** A licence changed to another call plan outside pbx-estate: the update changes it back, at the catalogue's price. */
function callPlanBack(entry: DriftEntry, step: EstateStep, context: AdviceContext): string | undefined {
  const field = entry.fields.find((f) => f.field === "callPlan");
  const live = step.new?.outputs ?? {};
  const declared = str(field?.declared);
  if (!field || declared === null) return undefined;
  const currency = str(live.currency) ?? currencyOf(context.catalogue);
  const from = typeof live.priceMinor === "number" ? live.priceMinor : 0;
  const to = monthlyPriceMinor(context.catalogue, str(live.product) ?? "", declared);
  return (
    `changes the call plan of ${holderOf(entry)}'s licence back from ${str(field.live) ?? "(none)"} to ${declared}: ` +
    `${formatMoney(from, currency)} → ${formatMoney(to, currency)} a month (${formatMoney(to - from, currency, true)})`
  );
}

/**
 * A licence cancelled outside pbx-estate (at once, or its scheduled cancellation took effect): the create
 * claims an identical licence pending cancellation when the resource allows it, else orders a new one.
 */
function reordered(entry: DriftEntry, step: EstateStep, context: AdviceContext): string {
  const recorded = step.old?.inputs ?? {};
  const product = str(recorded.product);
  const callPlan = str(recorded.callPlan);
  const price = formatMoney(
    monthlyPriceMinor(context.catalogue, product ?? "", callPlan),
    currencyOf(context.catalogue),
  );
  const order = `orders a new ${licenceName(product, callPlan)} for ${holderOf(entry)} at the catalogue's ${price} a month`;
  return recorded.claimPending === false
    ? order
    : `${order}, unless the account has an identical licence pending cancellation: that one is reinstated for it instead, and nothing is ordered`;
}

function madeAgain(entry: DriftEntry): string {
  if (entry.kind === "device") {
    return `makes device ${entry.key} again as declared: a new device with a new SIP username and password (recorded in the state, encrypted), so its handset must be set up again`;
  }
  return `makes user ${entry.key} again as declared, with its devices`;
}

/** What apply does about `drift`, found among `steps` (a refresh preview); empty when there is none. */
export function driftAdvice(
  drift: readonly DriftEntry[],
  steps: readonly EstateStep[],
  context: AdviceContext,
): string[] {
  const stepOf = new Map(steps.map((s) => [s.name, s]));
  const setBack = drift.filter((e) =>
    e.fields.some((f) => !ownLine.has(f.field) && !(e.kind === "licence" && f.field === "callPlan")),
  );
  const lines: string[] = [];
  if (setBack.length > 0)
    lines.push(`sets the changed fields back to their declared values (${setBack.map(holderOrSelf).join(", ")})`);
  for (const entry of drift) {
    const step = stepOf.get(entry.resource);
    if (!step) continue;
    if (entry.state === "gone") {
      lines.push(entry.kind === "licence" ? reordered(entry, step, context) : madeAgain(entry));
      continue;
    }
    if (entry.kind === "licence") {
      const back = callPlanBack(entry, step, context);
      if (back) lines.push(back);
      if (entry.fields.some((f) => f.field === "status")) lines.push(reinstated(entry, step, context));
    }
    if (entry.fields.some((f) => f.field === "password")) {
      lines.push(
        `rotates the SIP password of device ${entry.key} again and records the new one in the state, encrypted: its handset must then register with the new one`,
      );
    }
  }
  return lines;
}

function holderOrSelf(entry: DriftEntry): string {
  return entry.kind === "licence" ? `the licence of ${holderOf(entry)}` : `${entry.kind} ${entry.key}`;
}
