// Licence holding in the configuration: which device or user holds a licence, and whether one may take it.
import type { z } from "zod";
import type { Holder as HolderSchema } from "../../schemas/problem.ts";
import { conflict, invalidField } from "../errors.ts";
import { indexOf, inMapOrder } from "../configuration/config-index.ts";
import type { Config, Context, Licence } from "../configuration/model.ts";

/** The device or user holding a licence, as subscriptions and problem documents show it. */
export type Holder = z.infer<typeof HolderSchema>;

/**
 * The holder of a licence other than `except`: a device before a user, each the first in its map's order
 * (as a walk over the whole configuration finds it), looked up in the configuration's index.
 */
export function holderIn(c: Config, licenceId: string, except?: string): Holder | null {
  const index = indexOf(c);
  const others = (ids: readonly string[] | undefined) => ids?.filter((id) => id !== except);
  const deviceId = inMapOrder(c.devices, others(index.licenceDevices.get(licenceId)))[0];
  const device = deviceId === undefined ? undefined : c.devices.get(deviceId);
  if (device) return { kind: "device", id: device.id, name: device.name };
  const userId = inMapOrder(c.users, others(index.licenceUsers.get(licenceId)))[0];
  const user = userId === undefined ? undefined : c.users.get(userId);
  return user ? { kind: "user", id: user.id, name: user.name } : null;
}

/** The licence rules shared by device and user create/update: exists, right product, active, free. */
export function checkLicence(c: Config, ctx: Context, licenceId: string, product: string, self: string): Licence {
  const licence = ctx.licences.get(licenceId);
  if (!licence)
    throw invalidField("licenceId", "exists", `no subscription ${licenceId} in this account`, "licence-not-found");
  if (licence.product !== product)
    throw conflict("licence-wrong-product", `subscription ${licenceId} is a ${licence.product}, not a ${product}`, {
      licenceId,
      product: licence.product,
    });
  if (licence.status === "cancelled")
    throw conflict("licence-cancelled", `subscription ${licenceId} is cancelled`, { licenceId });
  if (licence.status === "cancellation-scheduled")
    throw conflict(
      "licence-cancellation-scheduled",
      `subscription ${licenceId} is scheduled for cancellation; reinstate it first`,
      { licenceId },
    );
  const holder = holderIn(c, licenceId, self);
  if (holder)
    throw conflict(
      "licence-held",
      `subscription ${licenceId} is held by ${holder.kind} ${holder.id} (${holder.name})`,
      { licenceId, holders: [holder] },
    );
  return licence;
}
