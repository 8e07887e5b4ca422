/**
 * A plan checked against the account's rules before anything changes: the backend replays the plan's
 * operations on a copy of the live configuration (POST /v1/plan-checks) and every refusal becomes a plan
 * error. `plan` fails with them (exit 1); `apply` is refused with them before the engine starts (exit 3).
 */
import type { Connection } from "../connect.ts";
import { CliError, EXIT, RefusedError } from "../errors.ts";
import type { EstateStep } from "../plan/steps.ts";
import { refusalLines } from "./report.ts";
import { planCheckRequest } from "./request.ts";

/** The account's rules would refuse the apply: each line names the estate field, the rule and the holder. */
export class PlanRefusedByRulesError extends CliError {
  readonly lines: string[];
  constructor(lines: string[]) {
    super(
      `${lines.join("\n")}\nthe account's rules would refuse ${lines.length === 1 ? "this change" : `these ${lines.length} changes`} at apply; fix the estate files (or the objects outside this estate) and plan again`,
      EXIT.failure,
    );
    this.name = "PlanRefusedByRulesError";
    this.lines = lines;
  }
}

/** Throws a plan error naming every refusal the backend's rules would answer the apply with. */
export async function checkPlanAgainstRules(connection: Connection, steps: readonly EstateStep[]): Promise<void> {
  if (steps.every((s) => s.op === "same")) return;
  const { refusals } = await connection.api.checkPlan(planCheckRequest(steps, connection.estate));
  if (refusals.length > 0) throw new PlanRefusedByRulesError(refusalLines(refusals, connection.estate, steps));
}

/** For `apply`: the same refusals, as a refusal before anything changed (exit 3). */
export function refusedBeforeApply(error: unknown): never {
  if (error instanceof PlanRefusedByRulesError)
    throw new RefusedError(
      `${error.lines.join("\n")}\nthe account's rules would refuse the apply; nothing was changed`,
    );
  throw error;
}
