/** Planning an estate: a refresh preview turned into the reviewed plan and the fingerprint of reality. */
import type { Connection } from "./connect.ts";
import { buildPlan } from "./plan/build.ts";
import type { EstatePlan } from "./plan/model.ts";
import { estateDigest, realityFingerprint, type CurrentPlan } from "./plan/plan-file.ts";
import { estateSteps, removedIds } from "./plan/steps.ts";

export interface Planned extends CurrentPlan {
  plan: EstatePlan;
  /** Resource steps the apply will take (licences included), for progress counts. */
  changedResources: number;
  /** The ids of the objects the plan removes or replaces: the apply may remove no other. */
  plannedRemovals: string[];
}

/** What `apply` would do now, against the live objects (the preview refreshes first). */
export async function planEstate(connection: Connection, now = new Date()): Promise<Planned> {
  const { estate, session, account, catalogue } = connection;
  const events = await session.preview({ refresh: true });
  const steps = estateSteps(events);
  const plan = buildPlan(steps, { estate, stack: session.stack.name, account, catalogue, now });
  return {
    estate: estate.name,
    stack: session.stack.name,
    accountId: account.accountId,
    estateDigest: estateDigest(estate),
    reality: realityFingerprint(steps),
    plan,
    changedResources: steps.filter((s) => s.op !== "same").length,
    plannedRemovals: removedIds(events),
  };
}
