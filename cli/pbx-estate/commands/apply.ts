/** `pbx-estate apply <paths…>`: makes the live estate what the files declare, within the safety limits. */
import type { Command } from "../command.ts";
import { parseCommandArgs } from "../command.ts";
import { confirmOrRefuse } from "../confirm.ts";
import { withConnection, connectionHelp, connectionOptions } from "../connect.ts";
import { EXIT, RefusedError, UsageError } from "../errors.ts";
import { reportOutcome } from "../outcome.ts";
import type { EstatePlan } from "../plan/model.ts";
import { readPlanFile, stalenessOf } from "../plan/plan-file.ts";
import { renderPlanText } from "../plan/render-text.ts";
import { formatMoney } from "../plan/values.ts";
import { refusedBeforeApply } from "../plan-check/index.ts";
import { engineFallbackNote, planEstate, planningHelp, planningOptions } from "../planning.ts";
import { Progress } from "../progress.ts";
import { refuseEstateBeyondHeap } from "../program-memory.ts";
import { refuseOutdatedTerms } from "../terms.ts";

export const DEFAULT_MAX_DELETIONS = 10;
export const DEFAULT_PARALLEL = 64;

function wholeNumber(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag} takes a whole number, got ${JSON.stringify(text)}`);
  return Number(text);
}

/** `--max-cost-increase 25` or `25.50`: major units of the catalogue's currency, as minor units. */
function amountMinor(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+(\.\d{1,2})?$/.test(text))
    throw new UsageError(`--max-cost-increase takes an amount such as 25 or 25.50, got ${JSON.stringify(text)}`);
  return Math.round(Number(text) * 100);
}

/** Users and devices removed (a replacement removes one too). */
export function deletionsIn(plan: EstatePlan): number {
  const { users, devices } = plan.counts;
  return users.delete + users.replace + devices.delete + devices.replace;
}

export const applyCommand: Command = {
  name: "apply",
  summary: "apply the estate files (or exactly a saved plan), with limits on deletions and cost",
  help: `Usage: pbx-estate apply <files or folders…> [--plan <plan file>] [--yes] [--max-deletions N]
                          [--max-cost-increase AMOUNT] [--parallel N] [--engine]

Plans again against the live objects, prints the plan, and applies it with live progress (a status line
on a terminal, plain lines otherwise) and a summary. Objects changed outside pbx-estate are read again
and put back; the update takes only the steps the plan names, and fails at any other.

  --plan <plan file>           apply exactly this plan from \`plan --out\`: refused (exit 3) when the estate
                               files, the account, any live object or the resulting plan differ from it
  --max-deletions N            users and devices an apply may remove (default ${DEFAULT_MAX_DELETIONS})
  --max-cost-increase AMOUNT   largest monthly cost increase, e.g. 50 or 49.99 (default: no limit)
  --yes                        go ahead beyond the limits without asking
  --parallel N                 resource operations in flight at once (default ${DEFAULT_PARALLEL})
${planningHelp}
${connectionHelp}

Beyond a limit, a terminal asks to confirm; elsewhere the apply is refused unless --yes is given. Ordering
and cancelling licences accept the service terms: refused while the estate's acceptTerms is not the current
version.
Exit codes: 0 applied (or nothing to do), 1 failure, 3 refused: nothing was changed.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      ...connectionOptions,
      ...planningOptions,
      plan: { type: "string" },
      yes: { type: "boolean", default: false },
      "max-deletions": { type: "string" },
      "max-cost-increase": { type: "string" },
      parallel: { type: "string" },
    });
    const maxDeletions = wholeNumber(values["max-deletions"], "--max-deletions", DEFAULT_MAX_DELETIONS);
    const maxIncrease = amountMinor(values["max-cost-increase"]);
    const parallel = wholeNumber(values.parallel, "--parallel", DEFAULT_PARALLEL);
    const saved = values.plan ? readPlanFile(values.plan) : undefined;

    return withConnection(positionals, values, io, { mustExist: false }, async (connection) => {
      const planned = await planEstate(connection, {
        engine: values.engine,
        onEngineFallback: (reason) => io.err(engineFallbackNote(reason)),
      }).catch(refusedBeforeApply);
      const { plan } = planned;
      if (saved) {
        const { changedResources: _count, plannedRemovals: _removals, ...current } = planned;
        const reasons = stalenessOf(saved, current);
        if (reasons.length > 0) {
          throw new RefusedError(
            `the plan in ${values.plan} no longer holds; nothing was changed:\n${reasons.map((r) => `  - ${r}`).join("\n")}\n` +
              "Make a new plan, review it, and apply that.",
          );
        }
      }
      io.out(renderPlanText(plan));
      if (!plan.hasChanges) return EXIT.ok;
      refuseOutdatedTerms(connection.estate, connection.catalogue, plan, "apply");

      const limits: string[] = [];
      const deletions = deletionsIn(plan);
      if (deletions > maxDeletions)
        limits.push(`the plan removes ${deletions} users and devices, more than --max-deletions ${maxDeletions}`);
      const { monthlyDeltaMinor, currency } = plan.cost;
      if (maxIncrease !== undefined && monthlyDeltaMinor > maxIncrease) {
        limits.push(
          `the monthly cost rises by ${formatMoney(monthlyDeltaMinor, currency)}, more than --max-cost-increase ${formatMoney(maxIncrease, currency)}`,
        );
      }
      refuseEstateBeyondHeap(connection.estate, connection.target.adopt);
      await confirmOrRefuse(io, { yes: values.yes, reasons: limits, question: "Apply anyway?", expected: "yes" });

      io.err("");
      const session = await connection.engine();
      // The engine's plan read everything again; otherwise only what changed outside pbx-estate is read.
      if (!values.engine && planned.changedOutside.length > 0) {
        const count = planned.changedOutside.length;
        io.err(`reading again ${count} object${count === 1 ? "" : "s"} changed outside pbx-estate …`);
        await session.refresh(planned.changedOutside, { parallel });
      }
      const progress = new Progress(io, planned.changedResources);
      let events;
      try {
        events = await session.up({
          parallel,
          onEvent: progress.onEvent,
          refresh: values.engine,
          plannedRemovals: planned.plannedRemovals,
          plannedSteps: planned.plannedSteps,
        });
      } finally {
        progress.finish();
      }
      io.out("");
      await reportOutcome(io, connection, plan, events, false, planned.adoptedLicenceIds);
      return EXIT.ok;
    });
  },
};
