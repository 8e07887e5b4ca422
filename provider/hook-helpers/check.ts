/**
 * `check` for every resource: validates the program's inputs with the shared zod schemas before any API
 * call and returns one failure per field, naming the field and the rule. Values unknown during a preview
 * pass. The resource's identity is settled here, where the old inputs are still visible: it keeps its
 * client reference for life, and the process remembers whether the resource already has state, which is
 * how `create` tells a forced replacement from a retried first create (see ../identity.ts).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { fieldIssues } from "../../schemas/field-issues.ts";
import { rememberCheck } from "../identity.ts";
import { withoutDefaults } from "./defaults.ts";
import type { Inputs } from "./inputs.ts";
import { containsUnknown, unknownAt } from "./unknowns.ts";

export const internalKeys = ["__provider", "clientReference"] as const;

function stripInternal(inputs: Inputs): Inputs {
  const out: Inputs = { ...inputs };
  for (const key of internalKeys) delete out[key];
  return out;
}

export function checkInputs(
  schema: z.ZodType,
  olds: Inputs | undefined,
  news: Inputs,
  defaults: Inputs = {},
): pulumi.dynamic.CheckResult {
  const given = stripInternal(news);
  const parsed = schema.safeParse(given);
  const failures: pulumi.dynamic.CheckFailure[] = [];
  if (!parsed.success) {
    for (const issue of fieldIssues(parsed.error.issues, { value: given })) {
      // An unknown field is refused by its parent's shape, whatever its value; any other value unknown in a
      // preview is checked once it is known.
      if (unknownAt(given, issue.at === "key" ? issue.path.slice(0, -1) : issue.path)) continue;
      const property = issue.path.map(String).join(".") || "(inputs)";
      failures.push({ property, reason: `${property}: ${issue.message} [rule: ${issue.rule}]` });
    }
  }
  const hasOlds = olds !== undefined && Object.keys(olds).length > 0;
  const identity = {
    __provider: news.__provider,
    // Kept from the old inputs so a resource keeps its reference for life; a new one takes the SDK's.
    clientReference: (hasOlds ? olds.clientReference : undefined) ?? news.clientReference,
  };
  if (typeof identity.clientReference === "string") rememberCheck(identity.clientReference, hasOlds);
  // With every value known, hand on the normalised inputs so state holds one form: a field equal to its
  // default is left out, as in the outputs (hook-helpers/outcome.ts), since every recorded field is paid for on
  // each read, diff and checkpoint of every resource. The hooks parse the inputs again, defaults and all.
  // A default the old inputs recorded (state written by an earlier version) stays: the engine lists every
  // input that changes in an update, and a user should not see a dropped `claimPending: true` among them.
  const recorded = hasOlds ? Object.keys(defaults).filter((field) => olds[field] !== undefined) : [];
  const leftOut = Object.fromEntries(Object.entries(defaults).filter(([field]) => !recorded.includes(field)));
  const inputs = parsed.success && !containsUnknown(given) ? withoutDefaults(parsed.data as Inputs, leftOut) : given;
  return { inputs: { ...inputs, ...identity }, failures };
}
