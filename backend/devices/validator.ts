// Device rules that need the configuration. Its licence rules are shared with users (subscriptions/holding.ts);
// a device linked to two users is a live-configuration rule (configuration/live-rules.ts).
import { conflict } from "../errors.ts";
import { deviceByReference, usersOfDevice, type Config, type DeviceState } from "../configuration/model.ts";

/** The device already made under this clientReference, if any: a retried create answers with it. */
export function existingDeviceByReference(view: Config, clientReference: string | undefined): string | null {
  return clientReference === undefined ? null : deviceByReference(view, clientReference);
}

/** A device linked to a user is not deleted: the problem names the users to unlink it from. */
export function checkNotLinked(c: Config, d: DeviceState): void {
  const holders = usersOfDevice(c, d.id).map((id) => ({
    kind: "user" as const,
    id,
    name: c.users.get(id)?.name ?? "",
  }));
  if (holders.length > 0)
    throw conflict(
      "device-linked",
      `device ${d.id} is linked to user ${holders.map((h) => h.id).join(", ")}; unlink it first`,
      { holders },
    );
}
