/** A plan as Markdown, ready to post as a pull-request comment. */
import type { EntityOp, EstatePlan, FieldChange } from "./model.ts";
import { cancellationWhen, countsText, holderText, productName } from "./render-text.ts";
import { formatMoney, renderValue } from "./values.ts";
import type { PlanValue } from "./model.ts";

/** Text safe inside a table cell: no pipes breaking columns, no line breaks. */
export function cell(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/** A value as inline code, unless it holds a backtick (then plain). */
export function code(text: string): string {
  return text.includes("`") ? cell(text) : `\`${cell(text)}\``;
}

function value(v: PlanValue | undefined): string {
  return code(renderValue(v));
}

function fieldMarkdown(change: FieldChange): string {
  const shown = "from" in change ? `${value(change.from)} → ${value(change.to)}` : value(change.to);
  return `${cell(change.field)}: ${shown}${change.outOfBand ? " _(changed outside pbx-estate)_" : ""}`;
}

const verbs: Record<EntityOp, string> = { create: "create", update: "update", replace: "**replace**", delete: "**delete**" };

export function renderPlanMarkdown(plan: EstatePlan): string {
  const { currency, currentMonthlyMinor, monthlyDeltaMinor, newMonthlyMinor } = plan.cost;
  const lines = [
    `### pbx-estate plan for \`${plan.estate}\``,
    "",
    `Account **${cell(plan.account.name)}** (\`${plan.account.id}\`), time zone ${plan.account.timeZone}, stack \`${plan.stack}\`.`,
    "",
  ];
  if (!plan.hasChanges) {
    lines.push(`**No changes.** The live objects match the estate files. Monthly cost stays ${formatMoney(currentMonthlyMinor, currency)}.`);
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
      lines.push(`| ${verbs[u.op]} | \`${u.key}\` ${cell(u.label)} | ${fields} |`);
    }
    lines.push("");
  }
  if (plan.devices.length > 0) {
    lines.push("#### Devices", "", "| | device | user | changes |", "| --- | --- | --- | --- |");
    for (const d of plan.devices) {
      const fields = d.op === "delete" ? "removed" : d.fields.map(fieldMarkdown).join("<br>");
      lines.push(`| ${verbs[d.op]} | \`${d.key}\` ${cell(d.label)} | ${d.user ? `\`${d.user}\`` : ""} | ${fields} |`);
    }
    lines.push("");
  }
  const { orders, cancellations, callPlanChanges } = plan.licences;
  if (orders.length + cancellations.length + callPlanChanges.length > 0) {
    lines.push("#### Licences", "", "| | licence | for | takes effect | per month |", "| --- | --- | --- | --- | ---: |");
    for (const o of orders) {
      const what = `${productName(o.product)}${o.callPlan ? ` (${o.callPlan})` : ""}`;
      lines.push(`| order | ${what} | ${cell(holderText(o.for))} | when applied | ${formatMoney(o.monthlyPriceMinor, currency, true)} |`);
    }
    for (const c of cancellations) {
      const what = `${productName(c.product)}${c.callPlan ? ` (${c.callPlan})` : ""} \`${c.subscriptionId}\``;
      const when = cancellationWhen(c, plan.account.timeZone);
      lines.push(`| **cancel** | ${what} | ${cell(holderText(c.for))} | ${cell(when)} | ${formatMoney(-c.monthlyPriceMinor, currency, true)} |`);
    }
    for (const c of callPlanChanges) {
      const what = `call plan ${c.from ?? "(none)"} → ${c.to ?? "(none)"}`;
      lines.push(`| change | ${what} | user ${c.user} | when applied | ${formatMoney(c.monthlyDeltaMinor, currency, true)} |`);
    }
    lines.push("", "Cancelled licences run to the end of the last calendar day of the month in the account's time zone (no pro-rata refunds), unless the user's `removal` is `immediately`. A new licence claims back one of the same kind that is pending cancellation instead of ordering, when there is one.", "");
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
