/** `pbx-estate plan <paths…>`: what an apply would change, per user and device, with licences and cost. */
import type { Command } from "../command.ts";
import { parseCommandArgs } from "../command.ts";
import { withConnection, connectionHelp, connectionOptions } from "../connect.ts";
import { EXIT, UsageError } from "../errors.ts";
import { PLAN_FILE_FORMAT, writePlanFile } from "../plan/plan-file.ts";
import { renderPlanMarkdown } from "../plan/render-markdown.ts";
import { renderPlanText } from "../plan/render-text.ts";
import { engineFallbackNote, planEstate, planningHelp, planningOptions } from "../planning.ts";

export const planCommand: Command = {
  name: "plan",
  summary: "show what apply would change, field by field, with licences and the monthly cost delta",
  help: `Usage: pbx-estate plan <files or folders…> [--json | --markdown] [--out <plan file>] [--engine]

Works out the apply against the live objects (read first), and prints per user and device the
fields that change (old → new), the licences to order and to cancel with the date each cancellation
takes effect, and the monthly cost before and after from the catalogue's prices. Secrets are never shown.

  --json                machine-readable plan on stdout
  --markdown            Markdown for a pull-request comment on stdout
  --out <plan file>     also save the plan with a fingerprint of the live objects, for \`apply --plan\`
${planningHelp}
${connectionHelp}

Exit codes: 0 planned (with or without changes), 1 failure.`,
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, {
      ...connectionOptions,
      ...planningOptions,
      json: { type: "boolean", default: false },
      markdown: { type: "boolean", default: false },
      out: { type: "string" },
    });
    if (values.json && values.markdown) throw new UsageError("choose one of --json and --markdown");
    return withConnection(positionals, values, io, { mustExist: false }, async (connection) => {
      const { changedResources: _count, ...planned } = await planEstate(connection, {
        engine: values.engine,
        onEngineFallback: (reason) => io.err(engineFallbackNote(reason)),
      });
      const { plan } = planned;
      io.out(
        values.json ? JSON.stringify(plan, null, 2) : values.markdown ? renderPlanMarkdown(plan) : renderPlanText(plan),
      );
      if (values.out) {
        writePlanFile(values.out, { format: PLAN_FILE_FORMAT, createdAt: new Date().toISOString(), ...planned });
        io.err(
          `plan saved to ${values.out}: \`pbx-estate apply ${positionals.join(" ")} --plan ${values.out}\` applies exactly this plan`,
        );
      }
      return EXIT.ok;
    });
  },
};
