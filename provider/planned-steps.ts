/**
 * The planned-steps guard, beside the removal guards (removal-guards.ts) and for the same runners: an apply
 * carries out the plan that was shown, so before a step changes anything the provider checks that it is
 * the planned one. PBX_ESTATE_PLANNED_STEPS names a JSON file mapping each client reference (the SDK's,
 * as `check` hands it on: creates have no id yet) to its planned operation and, for an update or a
 * replacement, the fields the plan changes (as `changedFields` names them). A resource the file does not
 * name is planned to stay the same. Without the variable (`pulumi up` on a program of one's own) nothing
 * is checked.
 *
 * For a licence the plan creates, `claim` names the licence pending cancellation it claims instead of
 * ordering, or null when it orders: the create claims that licence or none (plannedClaim), so an apply never
 * claims a licence the plan did not name, such as one the same run reinstates for its own holder.
 *
 * `diff` compares what it found with the plan: another operation, or a field the plan does not change, is
 * refused. Finding less than planned is not: a planned field the update no longer changes (the preview
 * counts a value it cannot know yet, the id of a device still to be made, as a change), or nothing left to
 * change at all (someone already made the change by hand). `check` does the same for a create, which gets
 * no `diff`.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { resourceNameOf } from "./references.ts";

export const PLANNED_STEPS_ENV = "PBX_ESTATE_PLANNED_STEPS";

const PlannedStep = z.object({
  op: z.enum(["create", "update", "replace"]),
  fields: z.array(z.string()),
  claim: z.string().nullable().optional(),
});
export type PlannedStep = z.infer<typeof PlannedStep>;

/** The file's content: client reference → the step the plan takes; absent references stay the same. */
const PlannedStepsFile = z.record(z.string(), PlannedStep);
export type PlannedSteps = z.infer<typeof PlannedStepsFile>;

/** What a step found now: the operation and, for an update or a replacement, the fields it changes. */
export interface FoundStep {
  op: "create" | "update" | "replace" | "same";
  fields: readonly string[];
}

/** One operation's planned steps, read once per plugin process (one process serves one operation). */
let planned: { path: string; steps: ReadonlyMap<string, PlannedStep> } | undefined;

function plannedSteps(path: string): ReadonlyMap<string, PlannedStep> {
  if (planned?.path !== path) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, "utf8"));
    } catch (error) {
      throw new Error(
        `refused to change anything: the apply's planned steps cannot be read from ${path}: ${String(error)}`,
        {
          cause: error,
        },
      );
    }
    const parsed = PlannedStepsFile.safeParse(json);
    if (!parsed.success)
      throw new Error(`refused to change anything: the apply's planned steps in ${path} are malformed`);
    planned = { path, steps: new Map(Object.entries(parsed.data)) };
  }
  return planned.steps;
}

/** What the plan does to the resource `name`, and what this update would do to it. */
const planSays: Record<FoundStep["op"], (name: string) => string> = {
  create: (name) => `creates ${name}`,
  update: (name) => `updates ${name}`,
  replace: (name) => `replaces ${name}`,
  same: (name) => `leaves ${name} unchanged`,
};
const updateWould: Record<FoundStep["op"], string> = {
  create: "create it",
  update: "update it",
  replace: "replace it",
  same: "leave it unchanged",
};

const listed = (fields: readonly string[]) => (fields.length === 0 ? "nothing" : fields.join(", "));

/** Why `found` is not the planned step, or undefined when it is. */
function mismatch(name: string, plannedStep: PlannedStep | undefined, found: FoundStep): string | undefined {
  const plannedOp = plannedStep?.op ?? "same";
  if (found.op === "same" && (plannedOp === "update" || plannedOp === "replace")) return undefined;
  if (plannedOp !== found.op) {
    const differing = found.fields.length > 0 ? ` (it differs in ${listed(found.fields)})` : "";
    return `the plan this run carries out ${planSays[plannedOp](name)}, but this update would ${updateWould[found.op]}${differing}`;
  }
  if (!plannedStep || found.op === "create" || found.op === "same") return undefined;
  const beyond = found.fields.filter((field) => !plannedStep.fields.includes(field));
  if (beyond.length === 0) return undefined;
  return (
    `the plan this run carries out changes ${listed(plannedStep.fields)} of ${name}, ` +
    `but this update would also change ${listed(beyond)}`
  );
}

/**
 * The licence the plan of this operation's runner has the create with client reference `reference` claim:
 * its id, null when the create orders, undefined without a plan naming it (then any candidate will do).
 */
export function plannedClaim(reference: unknown, env: NodeJS.ProcessEnv = process.env): string | null | undefined {
  const path = env[PLANNED_STEPS_ENV];
  if (!path || typeof reference !== "string") return undefined;
  return plannedSteps(path).get(reference)?.claim;
}

/**
 * Throws, before anything is changed, when the step the engine is about to take for the resource with
 * client reference `reference` is not the one the plan of this operation's runner names.
 */
export function refuseUnplannedStep(reference: unknown, found: FoundStep, env: NodeJS.ProcessEnv = process.env): void {
  const path = env[PLANNED_STEPS_ENV];
  if (!path) return;
  const steps = plannedSteps(path);
  const key = typeof reference === "string" ? reference : "";
  const name = resourceNameOf(reference) ?? (key || "a resource without a client reference");
  const reason = mismatch(name, steps.get(key), found);
  if (reason === undefined) return;
  throw new Error(
    `refused to change ${name}: ${reason}, so something changed since the plan was made. Nothing was changed ` +
      "for it; run the command again, and review the new plan.",
  );
}
