/** `pbx-estate drift <paths…>`: are the live objects still as the last apply left them? */
import type { Command } from "../command.ts";
import { parseCommandArgs } from "../command.ts";
import { withConnection, connectionHelp, connectionOptions } from "../connect.ts";
import { driftAdvice } from "../drift/advice.ts";
import { renderDriftMarkdown, renderDriftText } from "../drift/render.ts";
import { codeChangesOnly, driftOf, type DriftReport } from "../drift/report.ts";
import { EXIT, UsageError } from "../errors.ts";
import { buildPlan } from "../plan/build.ts";
import { driftSteps, engineFallbackNote, planningHelp, planningOptions } from "../planning.ts";

export const driftCommand: Command = {
  name: "drift",
  summary: "compare the live objects with the estate: exit 0 in sync, 2 drift, 1 failure",
  help: `Usage: pbx-estate drift <files or folders…> [--json | --markdown] [--engine]

Reads every object of the estate live (nothing is written) and reports each field
changed outside pbx-estate, declared vs live, and objects deleted or cancelled outside it, with what
\`apply\` would do about each (and its cost). Changes in the estate files not applied yet are reported
separately and are not drift.

The backend's URL and token come from --endpoint / PBX_ENDPOINT and PBX_TOKEN (never from the state),
so a scheduled job checks with the credentials it is given.

  --json        machine-readable report on stdout
  --markdown    Markdown report on stdout
${planningHelp}
${connectionHelp}

Exit codes: 0 in sync, 2 drift found, 1 failure (backend unreachable or throttled, token refused or of
another account, no state for the estate): a failure is never reported as drift.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      ...connectionOptions,
      ...planningOptions,
      json: { type: "boolean", default: false },
      markdown: { type: "boolean", default: false },
    });
    if (values.json && values.markdown) throw new UsageError("choose one of --json and --markdown");
    return withConnection(positionals, values, io, { mustExist: true }, async (connection) => {
      const { estate, target, account, catalogue } = connection;
      const { refreshed, pending: pendingSteps } = await driftSteps(connection, {
        engine: values.engine,
        onEngineFallback: (reason) => io.err(engineFallbackNote(reason)),
      });
      const drift = driftOf(refreshed);
      const report: DriftReport = {
        estate: estate.name,
        stack: target.stackName,
        account: { id: account.accountId, name: account.name, timeZone: account.timeZone },
        inSync: drift.length === 0,
        drift,
        advice: driftAdvice(drift, refreshed, { catalogue, timeZone: account.timeZone }),
        pendingCodeChanges: codeChangesOnly(
          buildPlan(pendingSteps, { estate, stack: target.stackName, account, catalogue, now: new Date() }),
        ),
      };
      io.out(
        values.json
          ? JSON.stringify(report, null, 2)
          : values.markdown
            ? renderDriftMarkdown(report)
            : renderDriftText(report),
      );
      return report.inSync ? EXIT.ok : EXIT.drift;
    });
  },
};
