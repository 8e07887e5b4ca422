/** A plan as plain text for a terminal or a CI log; control characters in any value show as escapes. */
import type { ChangeCounts, EntityOp, EstatePlan, FieldChange, LicenceCancellation, LicenceHolder } from "./model.ts";
import { formatMoney, renderValue } from "./values.ts";
import { visibleLines } from "../safe-text.ts";

const marks: Record<EntityOp, string> = { create: "+", update: "~", replace: "±", delete: "-" };

export function productName(product: string): string {
  return product === "user-licence"
    ? "user licence"
    : product === "sip-device-licence"
      ? "SIP-device licence"
      : product;
}

export function holderText(holder: LicenceHolder): string {
  return `${holder.kind} ${holder.key}`;
}

export function fieldText(change: FieldChange): string {
  const value = "from" in change ? `${renderValue(change.from)} → ${renderValue(change.to)}` : renderValue(change.to);
  return `${change.field}: ${value}${change.outOfBand ? "   (changed outside pbx-estate)" : ""}`;
}

export function countsText(counts: ChangeCounts): string {
  return `${counts.create} to create, ${counts.update} to update, ${counts.replace} to replace, ${counts.delete} to delete`;
}

function cancellationWhen(c: LicenceCancellation, timeZone: string): string {
  return c.takesEffectAt === null
    ? "ends immediately when applied"
    : `runs until the end of ${c.lastDay} (${timeZone})`;
}

export function costLine(plan: EstatePlan): string {
  const { currency, currentMonthlyMinor, monthlyDeltaMinor, newMonthlyMinor } = plan.cost;
  return `Monthly cost: ${formatMoney(currentMonthlyMinor, currency)} → ${formatMoney(newMonthlyMinor, currency)} (${formatMoney(monthlyDeltaMinor, currency, true)})`;
}

export function renderPlanText(plan: EstatePlan): string {
  const lines = [
    `Plan for estate ${plan.estate} (stack ${plan.stack}) in account ${plan.account.name} (${plan.account.id})`,
    "",
  ];
  if (!plan.hasChanges) {
    lines.push("No changes: the live objects match the estate files.", costLine(plan));
    return visibleLines(lines).join("\n");
  }
  const entity = (
    title: string,
    changes: { key: string; op: EntityOp; label: string; fields: FieldChange[]; user?: string | null }[],
  ) => {
    if (changes.length === 0) return;
    lines.push(title);
    for (const c of changes) {
      const owner = c.user ? `  (user ${c.user})` : "";
      lines.push(`  ${marks[c.op]} ${c.key}  ${c.label}${owner}${c.op === "delete" ? "  removed" : ""}`);
      for (const field of c.fields) lines.push(`      ${fieldText(field)}`);
    }
    lines.push("");
  };
  entity("Users", plan.users);
  entity("Devices", plan.devices);

  const { orders, adoptions, reinstatements, claims, cancellations, callPlanChanges } = plan.licences;
  const currency = plan.cost.currency;
  if (orders.length > 0) {
    lines.push(`Licences to order (${orders.length})`);
    for (const o of orders) {
      const plan = o.callPlan ? `, ${o.callPlan}` : "";
      lines.push(
        `  ${productName(o.product)}${plan} for ${holderText(o.for)}: ${formatMoney(o.monthlyPriceMinor, currency)} a month`,
      );
    }
  }
  if (adoptions.length > 0) {
    lines.push(
      `Licences to take over (${adoptions.length}; made by an earlier run of this estate that stopped before recording them, already billed)`,
    );
    for (const a of adoptions) {
      lines.push(
        `  ${productName(a.product)}${a.callPlan ? `, ${a.callPlan}` : ""} for ${holderText(a.for)} (${a.subscriptionId}): ${formatMoney(a.monthlyPriceMinor, currency)} a month`,
      );
    }
  }
  if (reinstatements.length > 0) {
    lines.push(
      `Licences to reinstate (${reinstatements.length}; scheduled for cancellation outside pbx-estate, they run on)`,
    );
    for (const r of reinstatements) {
      const ending = r.lastDay
        ? `would have ended after ${r.lastDay} (${plan.account.timeZone})`
        : "was to be cancelled";
      lines.push(
        `  ${productName(r.product)}${r.callPlan ? `, ${r.callPlan}` : ""} for ${holderText(r.for)} (${r.subscriptionId}): ${ending}; ${formatMoney(r.monthlyPriceMinor, currency)} a month`,
      );
    }
  }
  if (claims.length > 0) {
    lines.push(
      `Licences to reinstate instead of ordering (${claims.length}; pending cancellation in the account, each runs on ` +
        "for its new holder instead of ending after its last day: its monthly price is added to the cost as an order's " +
        "would be, and nothing is ordered)",
    );
    for (const c of claims) {
      const ending = c.lastDay ? `last day ${c.lastDay} (${plan.account.timeZone})` : "no last day set";
      lines.push(
        `  ${productName(c.product)} of ${holderText(c.for)} — ${c.subscriptionId} (pending cancellation, ${ending}), ` +
          `${c.callPlan ? `${c.callPlan} ` : ""}${formatMoney(c.monthlyPriceMinor, currency)} a month`,
      );
    }
  }
  if (cancellations.length > 0) {
    lines.push(`Licences to cancel (${cancellations.length}; no pro-rata refunds)`);
    for (const c of cancellations) {
      lines.push(
        `  ${productName(c.product)}${c.callPlan ? `, ${c.callPlan}` : ""} for ${holderText(c.for)} (${c.subscriptionId}): ` +
          `${cancellationWhen(c, plan.account.timeZone)}; ${formatMoney(c.monthlyPriceMinor, currency)} a month`,
      );
    }
  }
  if (callPlanChanges.length > 0) {
    lines.push("Call plan changes");
    for (const c of callPlanChanges) {
      lines.push(
        `  user ${c.user}: ${c.from ?? "(none)"} → ${c.to ?? "(none)"}: ${formatMoney(c.monthlyDeltaMinor, currency, true)} a month`,
      );
    }
  }
  const licenceLines =
    orders.length +
    adoptions.length +
    reinstatements.length +
    claims.length +
    cancellations.length +
    callPlanChanges.length;
  if (licenceLines > 0) lines.push("");
  lines.push(
    costLine(plan),
    `Users: ${countsText(plan.counts.users)}.`,
    `Devices: ${countsText(plan.counts.devices)}.`,
  );
  return visibleLines(lines).join("\n");
}
