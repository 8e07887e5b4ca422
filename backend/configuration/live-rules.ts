// The rules of the live configuration, checked when a change set is applied: a change set may pass through
// states that break them (swap two extensions, link a device to its new user before unlinking it). A
// resource's own live rules are in its folder; the ones written here span devices and users.
import { conflict } from "../errors.ts";
import type { Holder } from "../subscriptions/holding.ts";
import { checkExtensionsUnique } from "../users/validator.ts";
import { deviceUsers, type Config } from "./model.ts";

export function checkLiveRules(c: Config): void {
  checkExtensionsUnique(c);
  checkDevicesLinkedOnce(c);
  checkLicencesHeldOnce(c);
}

/** A device is linked to one user at most. */
function checkDevicesLinkedOnce(c: Config): void {
  const usersOf = deviceUsers(c);
  for (const d of c.devices.values()) {
    const owners = usersOf.get(d.id) ?? [];
    if (owners.length > 1)
      throw conflict(
        "device-link-conflict",
        `device ${d.id} (${d.name}) would be linked to users ${owners.join(" and ")}`,
        {
          deviceId: d.id,
          holders: owners.map((id) => ({ kind: "user" as const, id, name: c.users.get(id)?.name ?? "" })),
        },
      );
  }
}

/** A licence is held by one device or user at most. */
function checkLicencesHeldOnce(c: Config): void {
  const licenceHolders = new Map<string, Holder>();
  const objects = [
    ...[...c.devices.values()].map((o) => ({ o, kind: "device" as const })),
    ...[...c.users.values()].map((o) => ({ o, kind: "user" as const })),
  ];
  for (const { o, kind } of objects) {
    const holder = { kind, id: o.id, name: o.name };
    const other = licenceHolders.get(o.licenceId);
    if (other)
      throw conflict("licence-held", `licence ${o.licenceId} would be held by ${other.id} and ${o.id}`, {
        licenceId: o.licenceId,
        holders: [other, holder],
      });
    licenceHolders.set(o.licenceId, holder);
  }
}
