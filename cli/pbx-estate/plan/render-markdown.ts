/**
 * A plan as Markdown, ready to post as a pull-request comment. Every value that comes from the estate files,
 * the state or the backend is written as a code span (./safe-text.ts), so the comment shows exactly the data.
 */
import { cellCode, inlineCode } from "../safe-text.ts";
import type { EntityOp, EstatePlan, FieldChange, LicenceCancellation } from "./model.ts";
import { countsText, holderText, productName } from "./render-text.ts";
import { formatMoney, renderValue } from "./values.ts";
import type { PlanValue } from "./model.ts";

function value(v: PlanValue | undefined): string {
  return cellCode(renderValue(v));
}

function fieldMarkdown(change: FieldChange): string {
  const shown = "from" in change ? `${value(change.from)} → ${value(change.to)}` : value(change.to);
  return `${change.field}: ${shown}${change.outOfBand ? " _(changed outside pbx-estate)_" : ""}`;
}

function cancellationWhenMarkdown(c: LicenceCancellation, timeZone: string): string {
  return c.takesEffectAt === null
    ? "ends immediately when applied"
    : `runs until the end of ${cellCode(c.lastDay)} (${cellCode(timeZone)})`;
}

function licenceMarkdown(product: string, callPlan: string | null | undefined): string {
  return cellCode(`${productName(product)}${callPlan ? ` (${callPlan})` : ""}`);
}

const verbs: Record<EntityOp, string> = {
  create: "create",
  update: "update",
  replace: "**replace**",
  delete: "**delete**",
};

export function renderPlanMarkdown(plan: EstatePlan): string {
  const { currency, currentMonthlyMinor, monthlyDeltaMinor, newMonthlyMinor } = plan.cost;
  const lines = [
    `### pbx-estate plan for ${inlineCode(plan.estate)}`,
    "",
    `Account ${inlineCode(plan.account.name)} (${inlineCode(plan.account.id)}), time zone ${inlineCode(plan.account.timeZone)}, stack ${inlineCode(plan.stack)}.`,
    "",
  ];
  if (!plan.hasChanges) {
    lines.push(
      `**No changes.** The live objects match the estate files. Monthly cost stays ${formatMoney(currentMonthlyMinor, currency)}.`,
    );
    return lines.join("\n");
  }
  lines.push(
    `**Users:** ${countsText(plan.counts.users)} · **Devices:** ${countsText(plan.counts.devices)} · ` +
      `**Monthly cost:** ${formatMoney(currentMonthlyMinor, currency)} → ${formatMoney(newMonthlyMinor, currency)} ` +
      `(**${formatMoney(monthlyDeltaMinor, currency, true)}**)`,
    "",
  );
  if (plan.users.length > 0) {
    lines.push("#### Users", "", "| | user | changes |", "| --- | --- | --- |");
    for (const u of plan.users) {
      const fields = u.op === "delete" ? "removed" : u.fields.map(fieldMarkdown).join("<br>");
      lines.push(`| ${verbs[u.op]} | ${cellCode(u.key)} ${cellCode(u.label)} | ${fields} |`);
    }
    lines.push("");
  }
  if (plan.devices.length > 0) {
    lines.push("#### Devices", "", "| | device | user | changes |", "| --- | --- | --- | --- |");
    for (const d of plan.devices) {
      const fields = d.op === "delete" ? "removed" : d.fields.map(fieldMarkdown).join("<br>");
      lines.push(
        `| ${verbs[d.op]} | ${cellCode(d.key)} ${cellCode(d.label)} | ${d.user ? cellCode(d.user) : ""} | ${fields} |`,
      );
    }
    lines.push("");
  }
  const { orders, adoptions, reinstatements, claims, cancellations, callPlanChanges } = plan.licences;
  const licenceRows =
    orders.length +
    adoptions.length +
    reinstatements.length +
    claims.length +
    cancellations.length +
    callPlanChanges.length;
  if (licenceRows > 0) {
    lines.push(
      "#### Licences",
      "",
      "| | licence | for | takes effect | per month |",
      "| --- | --- | --- | --- | ---: |",
    );
    for (const o of orders) {
      lines.push(
        `| order | ${licenceMarkdown(o.product, o.callPlan)} | ${cellCode(holderText(o.for))} | when applied | ${formatMoney(o.monthlyPriceMinor, currency, true)} |`,
      );
    }
    for (const a of adoptions) {
      const what = `${licenceMarkdown(a.product, a.callPlan)} ${cellCode(a.subscriptionId)}`;
      lines.push(
        `| take over | ${what} | ${cellCode(holderText(a.for))} | made by an earlier run, already billed | ${formatMoney(0, currency, true)} |`,
      );
    }
    for (const r of reinstatements) {
      const what = `${licenceMarkdown(r.product, r.callPlan)} ${cellCode(r.subscriptionId)}`;
      const ending = r.lastDay ? ` (would have ended after ${cellCode(r.lastDay)})` : "";
      lines.push(
        `| reinstate | ${what} | ${cellCode(holderText(r.for))} | when applied${ending} | ${formatMoney(r.monthlyPriceMinor, currency, true)} |`,
      );
    }
    for (const c of claims) {
      const what = `${licenceMarkdown(c.product, c.callPlan)} ${cellCode(c.subscriptionId)}`;
      const ending = c.lastDay ? `, last day ${cellCode(c.lastDay)}` : "";
      lines.push(
        `| reinstate instead of ordering | ${what} | ${cellCode(holderText(c.for))} | when applied (pending cancellation${ending}) | ${formatMoney(c.monthlyPriceMinor, currency, true)} |`,
      );
    }
    for (const c of cancellations) {
      const what = `${licenceMarkdown(c.product, c.callPlan)} ${cellCode(c.subscriptionId)}`;
      const when = cancellationWhenMarkdown(c, plan.account.timeZone);
      lines.push(
        `| **cancel** | ${what} | ${cellCode(holderText(c.for))} | ${when} | ${formatMoney(-c.monthlyPriceMinor, currency, true)} |`,
      );
    }
    for (const c of callPlanChanges) {
      const what = `call plan ${cellCode(c.from ?? "(none)")} → ${cellCode(c.to ?? "(none)")}`;
      lines.push(
        `| change | ${what} | user ${cellCode(c.user)} | when applied | ${formatMoney(c.monthlyDeltaMinor, currency, true)} |`,
      );
    }
    lines.push(
      "",
      "Cancelled licences run to the end of the last calendar day of the month in the account's time zone (no pro-rata refunds), unless the user's `removal` is `immediately`. A new licence claims back one of the same kind that is pending cancellation instead of ordering, when there is one: listed as _reinstate instead of ordering_, it runs on past its last day for its new holder, its monthly price is added to the cost as an order's would be, and nothing is ordered.",
      "",
    );
  }
  lines.push(
    "#### Monthly cost",
    "",
    "| now | change | after |",
    "| ---: | ---: | ---: |",
    `| ${formatMoney(currentMonthlyMinor, currency)} | ${formatMoney(monthlyDeltaMinor, currency, true)} | ${formatMoney(newMonthlyMinor, currency)} |`,
  );
  return lines.join("\n");
}
