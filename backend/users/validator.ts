// User rules that need the configuration: licence (subscriptions/holding.ts), call plan and caller ID at every
// step, the number of linked devices, and at apply an extension held by one user only.
import { conflict, invalidField } from "../errors.ts";
import { MAX_DEVICES_PER_USER } from "../../schemas/user.ts";
import {
  userByReference,
  type Config,
  type Context,
  type DeviceState,
  type UserState,
} from "../configuration/model.ts";
import { checkLicence } from "../subscriptions/holding.ts";

export function existingUserByReference(view: Config, clientReference: string | undefined): string | null {
  return clientReference === undefined ? null : userByReference(view, clientReference);
}

/** A created or updated user's fields: its licence when it changed, the licence's call plan, an account number. */
export function checkUserFields(
  c: Config,
  ctx: Context,
  user: UserState,
  callPlan: string | undefined,
  licenceChanged: boolean,
): void {
  const licence = licenceChanged
    ? checkLicence(c, ctx, user.licenceId, "user-licence", user.id)
    : ctx.licences.get(user.licenceId);
  if (callPlan !== undefined && licence && licence.callPlan !== callPlan)
    throw conflict(
      "call-plan-mismatch",
      `licence ${user.licenceId} carries call plan ${licence.callPlan ?? "none"}; change the subscription's call plan instead`,
      {
        fields: [{ path: "callPlan", rule: "matches-licence", message: `must be ${licence.callPlan ?? "none"}` }],
      },
    );
  if (!ctx.numbers.includes(user.outboundCallerId))
    throw invalidField(
      "outboundCallerId",
      "account-number",
      `${user.outboundCallerId} is not one of the account's numbers`,
      "caller-id-not-owned",
    );
}

/** The device a link names exists in the view. */
export function requireLinkableDevice(c: Config, id: string): DeviceState {
  const d = c.devices.get(id);
  if (!d) throw invalidField("deviceId", "exists", `no device ${id} in this account`, "device-not-found");
  return d;
}

export function checkLinkLimit(userId: string, linked: ReadonlySet<string>): void {
  if (linked.size > MAX_DEVICES_PER_USER)
    throw conflict(
      "too-many-devices",
      `user ${userId} has ${MAX_DEVICES_PER_USER} devices linked, the most a user may have; unlink one first`,
      { limit: MAX_DEVICES_PER_USER },
    );
}

/** Live rule, checked at apply: an extension is held by one user only. */
export function checkExtensionsUnique(c: Config): void {
  const byExtension = new Map<string, UserState>();
  for (const u of c.users.values()) {
    const other = byExtension.get(u.extension);
    if (other)
      throw conflict(
        "extension-taken",
        `extension ${u.extension} would be held by both user ${other.id} (${other.name}) and user ${u.id} (${u.name})`,
        {
          extension: u.extension,
          holders: [
            { kind: "user", id: other.id, name: other.name },
            { kind: "user", id: u.id, name: u.name },
          ],
        },
      );
    byExtension.set(u.extension, u);
  }
}
