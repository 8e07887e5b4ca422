/** Planning an estate: the steps of a refresh preview turned into the reviewed plan and the fingerprint of reality. */
import type { Connection } from "./connect.ts";
import { buildPlan } from "./plan/build.ts";
import type { EstatePlan } from "./plan/model.ts";
import { estateDigest, realityFingerprint, type CurrentPlan } from "./plan/plan-file.ts";
import { estateSteps, removedIds, type EstateStep } from "./plan/steps.ts";
import { changedOutsideUrns, plannedStepsOf } from "./plan/apply-scope.ts";
import { pendingLicencesOf, stackPrefixOf, type PlannedSteps } from "../../provider/contract.ts";
import { plannedClaims, predictClaims } from "./plan/claims.ts";
import { checkPlanAgainstRules } from "./plan-check/index.ts";
import { readDriftSteps, readPlanSteps, type DriftSteps } from "./read-path/read-path.ts";
import type { Subscription } from "../../schemas/subscription.ts";

export interface Planned extends CurrentPlan {
  plan: EstatePlan;
  /** Resource steps the apply will take (licences included), for progress counts. */
  changedResources: number;
  /** The ids of the objects the plan removes or replaces: the apply may remove no other. */
  plannedRemovals: string[];
  /** Licences an earlier run of this estate made that the apply takes over rather than orders. */
  adoptedLicenceIds: string[];
  /** The step each created, updated or replaced resource takes: the apply may take no other. */
  plannedSteps: PlannedSteps;
  /** The URNs whose live objects differ from what state records (or are gone): the apply reads them again. */
  changedOutside: string[];
}

/**
 * The live licences an earlier run of this stack made, when the plan creates licences: a run killed after
 * ordering leaves them unrecorded, and the apply's creates adopt them. No request when nothing is created.
 */
async function licencesMadeByStack(connection: Connection, steps: readonly EstateStep[]): Promise<Subscription[]> {
  const prefixes = steps
    .filter((s) => (s.kind === "user-licence" || s.kind === "device-licence") && s.op === "create")
    .map((s) =>
      typeof s.new?.inputs.clientReference === "string" ? stackPrefixOf(s.new.inputs.clientReference) : undefined,
    )
    .filter((p): p is string => p !== undefined);
  return prefixes.length === 0 ? [] : connection.api.licencesReferencing(prefixes);
}

/**
 * How a command reads what the apply would do: by default the read path (read-path/), which works out the
 * engine's steps without it; `engine`, a refresh preview of the Pulumi engine. `onEngineFallback` hears why
 * the read path handed a stack to the engine.
 */
export interface PlanningOptions {
  engine: boolean;
  onEngineFallback?: (reason: string) => void;
}

/** The `--engine` option of the commands that plan (`parseArgs` config) and its help line. */
export const planningOptions = { engine: { type: "boolean", default: false } } as const;
export const planningHelp = `  --engine              plan with the Pulumi engine's refresh preview (the reference the default is checked against)`;

/** The note a command prints when the read path hands the stack to the engine. */
export function engineFallbackNote(reason: string): string {
  return `planning with the Pulumi engine: ${reason}`;
}

/** The steps of a refresh preview and the ids they remove: from the read path, or the engine's. */
async function planSteps(
  connection: Connection,
  options: PlanningOptions,
): Promise<{ steps: EstateStep[]; removedIds: string[]; changedOutside: string[] }> {
  if (!options.engine) {
    const read = await readPlanSteps(connection);
    if (!("engineNeeded" in read)) return read;
    options.onEngineFallback?.(read.engineNeeded);
  }
  const events = await (await connection.engine()).preview({ refresh: true });
  return { steps: estateSteps(events), removedIds: removedIds(events), changedOutside: changedOutsideUrns(events) };
}

/** What `drift` compares: a refresh's steps and the code changes not applied yet, read path or engine. */
export async function driftSteps(connection: Connection, options: PlanningOptions): Promise<DriftSteps> {
  if (!options.engine) {
    const read = await readDriftSteps(connection);
    if (!("engineNeeded" in read)) return read;
    options.onEngineFallback?.(read.engineNeeded);
  }
  const session = await connection.engine();
  const refreshed = estateSteps(await session.previewRefresh());
  return { refreshed, pending: estateSteps(await session.preview({ refresh: false })) };
}

/** What `apply` would do now, against the live objects (refreshed first). */
export async function planEstate(connection: Connection, options: PlanningOptions, now = new Date()): Promise<Planned> {
  const { estate, target, account, catalogue } = connection;
  const { steps, removedIds: removed, changedOutside } = await planSteps(connection, options);
  await checkPlanAgainstRules(connection, steps);
  const madeByStack = await licencesMadeByStack(connection, steps);
  const candidates = pendingLicencesOf(connection.api);
  const claims = await predictClaims(steps, { estate, candidates, madeByStack, timeZone: account.timeZone });
  const plan = buildPlan(steps, { estate, stack: target.stackName, account, catalogue, now, madeByStack, claims });
  return {
    estate: estate.name,
    stack: target.stackName,
    accountId: account.accountId,
    estateDigest: estateDigest(estate),
    reality: realityFingerprint(steps),
    plan,
    changedResources: steps.filter((s) => s.op !== "same").length,
    plannedRemovals: removed,
    adoptedLicenceIds: plan.licences.adoptions.map((a) => a.subscriptionId),
    plannedSteps: plannedStepsOf(steps, plannedClaims(steps, claims, madeByStack)),
    changedOutside,
  };
}
