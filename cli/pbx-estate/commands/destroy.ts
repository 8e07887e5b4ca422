/** `pbx-estate destroy <paths…>`: removes the whole estate, after showing what it cancels and when. */
import type { Command } from "../command.ts";
import { parseCommandArgs } from "../command.ts";
import { confirmOrRefuse } from "../confirm.ts";
import { withConnection, connectionHelp, connectionOptions } from "../connect.ts";
import { EXIT, UsageError } from "../errors.ts";
import { reportOutcome } from "../outcome.ts";
import { buildPlan } from "../plan/build.ts";
import { renderPlanText } from "../plan/render-text.ts";
import { estateSteps, removedIds } from "../plan/steps.ts";
import { Progress } from "../progress.ts";
import { refuseOutdatedTerms } from "../terms.ts";
import { DEFAULT_PARALLEL } from "./apply.ts";

export const destroyCommand: Command = {
  name: "destroy",
  summary: "remove the estate: shows each licence's cancellation date and the cost effect, then asks",
  help: `Usage: pbx-estate destroy <files or folders…> [--yes] [--parallel N]

Removes every user and device of the estate and cancels their licences: at the end of the month in the
account's time zone (no pro-rata refunds), or at once for users whose removal is immediately. Shows the
cancellations with their dates and the monthly cost effect first, then asks on a terminal; elsewhere
--yes is required. The files only name the estate (its stack); what is removed is what the stack holds.
Cancelling accepts the service terms: refused while the estate's acceptTerms is not the current version.

  --yes           remove without asking
  --parallel N    resource operations in flight at once (default ${DEFAULT_PARALLEL})
${connectionHelp}

Exit codes: 0 removed (or nothing to remove), 1 failure, 3 refused: nothing was changed.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      ...connectionOptions,
      yes: { type: "boolean", default: false },
      parallel: { type: "string" },
    });
    if (values.parallel !== undefined && !/^\d+$/.test(values.parallel))
      throw new UsageError("--parallel takes a whole number");
    return withConnection(positionals, values, io, { mustExist: true }, async (connection) => {
      const { account, catalogue } = connection;
      const session = await connection.engine();
      const previewed = await session.previewDestroy();
      const steps = estateSteps(previewed);
      const plan = buildPlan(steps, { stack: connection.target.stackName, account, catalogue, now: new Date() });
      io.out(renderPlanText({ ...plan, estate: connection.estate.name }));
      if (!plan.hasChanges) return EXIT.ok;
      refuseOutdatedTerms(connection.estate, catalogue, plan, "destroy");
      const { users, devices } = plan.counts;
      await confirmOrRefuse(io, {
        yes: values.yes,
        reasons: [
          `destroy removes ${users.delete} users and ${devices.delete} devices of estate ${connection.estate.name} and cancels ${plan.licences.cancellations.length} licences`,
        ],
        question: "Remove the estate?",
        expected: connection.estate.name,
      });
      io.err("");
      const progress = new Progress(io, steps.length);
      let events;
      try {
        events = await session.destroy({
          parallel: values.parallel ? Number(values.parallel) : DEFAULT_PARALLEL,
          onEvent: progress.onEvent,
          plannedRemovals: removedIds(previewed),
        });
      } finally {
        progress.finish();
      }
      io.out("");
      await reportOutcome(io, connection, { ...plan, estate: connection.estate.name }, events, true);
      return EXIT.ok;
    });
  },
};
