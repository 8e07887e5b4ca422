// Licence holding in the configuration: which device or user holds a licence, and whether one may take it.
import type { z } from "zod";
import type { Holder as HolderSchema } from "../../schemas/problem.ts";
import { conflict, invalidField } from "../errors.ts";
import type { Config, Context, Licence } from "../configuration/model.ts";

/** The device or user holding a licence, as subscriptions and problem documents show it. */
export type Holder = z.infer<typeof HolderSchema>;

const holderIndexes = new WeakMap<Config, Map<string, Holder>>();

/**
 * Every held licence's holder, built once per configuration. Only for a configuration no longer changed in
 * place: a cached live one (copies are changed while a write is planned).
 */
export function holdersIn(c: Config): ReadonlyMap<string, Holder> {
  let index = holderIndexes.get(c);
  if (!index) {
    index = new Map();
    for (const d of c.devices.values()) index.set(d.licenceId, { kind: "device", id: d.id, name: d.name });
    for (const u of c.users.values()) index.set(u.licenceId, { kind: "user", id: u.id, name: u.name });
    holderIndexes.set(c, index);
  }
  return index;
}

/** The holder of one licence other than `except`, walking a configuration that may be changing. */
export function holderIn(c: Config, licenceId: string, except?: string): Holder | null {
  for (const d of c.devices.values())
    if (d.licenceId === licenceId && d.id !== except) return { kind: "device", id: d.id, name: d.name };
  for (const u of c.users.values())
    if (u.licenceId === licenceId && u.id !== except) return { kind: "user", id: u.id, name: u.name };
  return null;
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
