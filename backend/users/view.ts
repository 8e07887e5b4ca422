// A user in the configuration as the API's user document.
import type { User } from "../../schemas/user.ts";
import type { CallPlanId } from "../../schemas/catalogue.ts";
import type { Config, Context, UserState } from "../configuration/model.ts";

export function userView(
  c: Config,
  ctx: Pick<Context, "licences">,
  u: UserState,
  pending: Map<string, string[]>,
): User {
  const pcs = pending.get(u.id) ?? [];
  return {
    id: u.id,
    version: u.liveVersion ?? 0,
    clientReference: u.clientReference,
    name: u.name,
    extension: u.extension,
    licenceId: u.licenceId,
    callPlan: (ctx.licences.get(u.licenceId)?.callPlan ?? null) as CallPlanId | null,
    areaPrefix: u.areaPrefix,
    outboundCallerId: u.outboundCallerId,
    recording: u.recording,
    deviceIds: [...(c.links.get(u.id) ?? [])].sort(),
    live: u.liveVersion !== null,
    pending: pcs.length > 0,
    pendingChangeSets: pcs,
    createdAt: u.createdAt?.toISOString() ?? null,
    updatedAt: u.updatedAt?.toISOString() ?? null,
  };
}
