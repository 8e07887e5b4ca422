/**
 * The summary after an apply or destroy: what was done per user and device, the licences ordered (and
 * claimed back), each cancellation with the instant the backend scheduled it for, and the monthly cost.
 */
import type { EngineEvent } from "@pulumi/pulumi/automation/index.js";
import type { Connection } from "./connect.ts";
import { buildPlan } from "./plan/build.ts";
import type { ChangeCounts, EstatePlan } from "./plan/model.ts";
import { holderText, productName } from "./plan/render-text.ts";
import { estateSteps } from "./plan/steps.ts";
import { formatMoney } from "./plan/values.ts";
import { holderOf, localDate } from "./plan/licences.ts";
import type { EstateStep } from "./plan/steps.ts";
import type { Io } from "./io.ts";

/**
 * A line per new licence that claimed one pending cancellation, and per licence the plan said would claim
 * but was ordered: the plan's claims as they turned out (which holder got which licence may differ from the
 * plan when several of a kind are made at once, see plan/claims.ts).
 */
function claimLines(created: readonly EstateStep[], expected: EstatePlan): string[] {
  const planned = new Map(expected.licences.claims.map((c) => [holderText(c.for), c.subscriptionId]));
  const lines: string[] = [];
  for (const step of created) {
    const holder = holderText(holderOf(step));
    const named = planned.get(holder);
    const declared = step.new?.inputs.product;
    const product = productName(typeof declared === "string" ? declared : "licence");
    if (step.new?.outputs.claimedFromPending === true) {
      const other = named !== undefined && named !== step.new.id ? ` (the plan named ${named})` : "";
      lines.push(
        `  ${product} of ${holder} (${step.new.id}): reinstated instead of ordering, its cancellation withdrawn${other}`,
      );
    } else if (named !== undefined) {
      lines.push(`  ${product} of ${holder}: ordered, as ${named}, which the plan named, was no longer there to claim`);
    }
  }
  return lines;
}

function doneText(counts: ChangeCounts): string {
  const parts = [
    counts.create && `${counts.create} created`,
    counts.update && `${counts.update} updated`,
    counts.replace && `${counts.replace} replaced`,
    counts.delete && `${counts.delete} removed`,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(", ") : "unchanged";
}

export async function reportOutcome(
  io: Io,
  connection: Connection,
  expected: EstatePlan,
  events: readonly EngineEvent[],
  removing: boolean,
  adoptedLicenceIds: readonly string[] = [],
): Promise<void> {
  const steps = estateSteps(events);
  const { account, catalogue, target } = connection;
  const done = buildPlan(steps, {
    ...(removing ? {} : { estate: connection.estate }),
    stack: target.stackName,
    account,
    catalogue,
    now: new Date(),
  });
  const seconds = events.find((e) => e.summaryEvent)?.summaryEvent?.durationSeconds;
  const lines = [
    `${removing ? "Removed" : "Applied"} estate ${expected.estate}${seconds === undefined ? "" : ` in ${seconds} s`}.`,
  ];
  lines.push(`  users: ${doneText(done.counts.users)}; devices: ${doneText(done.counts.devices)}`);

  const ordered = steps.filter((s) => (s.kind === "user-licence" || s.kind === "device-licence") && s.op === "create");
  if (ordered.length > 0) {
    const claimed = ordered.filter((s) => s.new?.outputs.claimedFromPending === true).length;
    const adopted = ordered.filter((s) => s.new?.id !== undefined && adoptedLicenceIds.includes(s.new.id)).length;
    const how = [
      claimed > 0 && `${claimed} claimed back from pending cancellation`,
      adopted > 0 && `${adopted} taken over from an earlier run`,
    ].filter(Boolean);
    const bought = ordered.length - claimed - adopted;
    lines.push(
      `  licences: ${ordered.length} added${how.length > 0 ? ` (${[...how, `${bought} ordered`].join(", ")})` : ""}`,
      ...claimLines(ordered, expected),
    );
  }
  for (const r of done.licences.reinstatements) {
    lines.push(
      `  ${productName(r.product)} of ${holderText(r.for)} (${r.subscriptionId}): reinstated, its cancellation withdrawn`,
    );
  }
  const cancelled = await connection.api.subscriptionsById(done.licences.cancellations.map((c) => c.subscriptionId));
  for (const c of done.licences.cancellations) {
    const live = cancelled.get(c.subscriptionId);
    const at = live?.cancellationEffectiveAt ?? live?.cancelledAt ?? null;
    const when =
      live?.status === "cancelled" || at === null
        ? `cancelled${at ? ` at ${at}` : ""}`
        : `cancellation takes effect ${at} (runs until the end of ${localDate(account.timeZone, new Date(Date.parse(at) - 1))}, ${account.timeZone})`;
    lines.push(`  ${productName(c.product)} of ${holderText(c.for)} (${c.subscriptionId}): ${when}`);
  }
  const { currency, currentMonthlyMinor, newMonthlyMinor, monthlyDeltaMinor } = expected.cost;
  lines.push(
    `  monthly cost: ${formatMoney(newMonthlyMinor, currency)} (was ${formatMoney(currentMonthlyMinor, currency)}, ${formatMoney(monthlyDeltaMinor, currency, true)})`,
  );
  io.out(lines.join("\n"));
}
