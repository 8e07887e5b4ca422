/**
 * The read path: the steps `plan` and `drift` take from the engine, worked out without it, from what the
 * last apply recorded (./recorded-state.ts), the live objects read by the provider's own `read`
 * (./live-read.ts) and the estate's declared resources checked and diffed by the provider's own rules
 * (./plan-steps.ts). When the stack holds something the read path does not mirror, it answers why, and the
 * caller asks the engine instead. Design: docs/read-path.md.
 */
import { estateResources } from "../../../sdk/estate-resources.ts";
import { ESTATE_PROJECT } from "../../../estate/program/project.ts";
import type { Connection } from "../connect.ts";
import { changedOutside } from "../plan/apply-scope.ts";
import type { EstateStep } from "../plan/steps.ts";
import { readLive } from "./live-read.ts";
import { previewSteps, refreshed, refreshSteps, type PreviewSteps } from "./plan-steps.ts";
import { recordedResources } from "./recorded-state.ts";

/** Why the engine must answer instead (see ./recorded-state.ts). */
export interface EngineNeeded {
  engineNeeded: string;
}

function declaredFor(connection: Connection) {
  return estateResources(connection.estate, connection.target.adopt);
}

const namesOf = (connection: Connection) => ({ project: ESTATE_PROJECT, stack: connection.target.stackName });

/** A plan's steps, with the URNs of the resources changed outside pbx-estate (what `apply` reads again). */
export interface PlanSteps extends PreviewSteps {
  changedOutside: string[];
}

/** The steps of `preview --refresh`: what `apply` would do against the live objects. */
export async function readPlanSteps(connection: Connection): Promise<PlanSteps | EngineNeeded> {
  const recorded = recordedResources(connection.recorded);
  if (recorded.engineNeeded !== undefined) return { engineNeeded: recorded.engineNeeded };
  const live = await readLive(connection.target.backend, recorded.resources);
  const preview = previewSteps(namesOf(connection), declaredFor(connection), refreshed(recorded.resources, live));
  const changed = recorded.resources.filter((r) => changedOutside(r.outputs, live.get(r.name)));
  return { ...preview, changedOutside: changed.map((r) => r.urn).sort() };
}

export interface DriftSteps {
  /** A refresh's steps: recorded before, live after. */
  refreshed: EstateStep[];
  /** A preview's steps without a refresh: the code changes against what was recorded. */
  pending: EstateStep[];
}

/** The steps `drift` compares: a refresh preview's and a preview's without refresh. */
export async function readDriftSteps(connection: Connection): Promise<DriftSteps | EngineNeeded> {
  const recorded = recordedResources(connection.recorded);
  if (recorded.engineNeeded !== undefined) return { engineNeeded: recorded.engineNeeded };
  const live = await readLive(connection.target.backend, recorded.resources);
  return {
    refreshed: refreshSteps(recorded.resources, live),
    pending: previewSteps(namesOf(connection), declaredFor(connection), recorded.resources).steps,
  };
}
