// The PBX configuration as a value: the live state of an account's devices, users and links, and what
// every resource's operations check against (licences, numbers). Operations are replayed on it by
// operations.ts; each resource's operations and rules live in its folder (devices/, users/).
import { preconditionFailed } from "../errors.ts";
import type { Config, DeviceState, UserState } from "./config-state.ts";
import { copyIndex, indexDevice, indexLinks, indexOf, indexUser, inMapOrder } from "./config-index.ts";

export type { Config, Context, DeviceState, Licence, RecordingState, UserState } from "./config-state.ts";

/**
 * A copy to change: the maps are new, the objects and link sets in them are shared. Nothing changes a
 * shared object or set in place (the operations and the revision stamps replace them), so a copy costs the
 * maps alone, not the whole account (and its index's maps: config-index.ts).
 */
export function cloneConfig(c: Config): Config {
  const copy = { devices: new Map(c.devices), users: new Map(c.users), links: new Map(c.links) };
  copyIndex(c, copy);
  return copy;
}

// The only ways to change a configuration once loaded: each keeps its index (config-index.ts) true.

/** Adds or replaces a device. */
export function putDevice(c: Config, d: DeviceState): void {
  indexDevice(c, c.devices.get(d.id), d);
  c.devices.set(d.id, d);
}

export function deleteDevice(c: Config, id: string): void {
  indexDevice(c, c.devices.get(id), undefined);
  c.devices.delete(id);
}

/** Adds or replaces a user. */
export function putUser(c: Config, u: UserState): void {
  indexUser(c, c.users.get(u.id), u);
  c.users.set(u.id, u);
}

export function deleteUser(c: Config, id: string): void {
  indexUser(c, c.users.get(id), undefined);
  c.users.delete(id);
}

/** Replaces a user's set of linked devices (a new set: the old one may be shared); undefined removes it. */
export function setLinks(c: Config, userId: string, devices: Set<string> | undefined): void {
  indexLinks(c, userId, c.links.get(userId), devices);
  if (devices) c.links.set(userId, devices);
  else c.links.delete(userId);
}

/** The users each linked device is linked to (one pass over the links, for rules over every device). */
export function deviceUsers(c: Config): Map<string, string[]> {
  const users = new Map<string, string[]>();
  for (const [userId, set] of c.links)
    for (const deviceId of set) users.set(deviceId, [...(users.get(deviceId) ?? []), userId]);
  return users;
}

/** The users a device is linked to, in the order of `c.links`. */
export function usersOfDevice(c: Config, deviceId: string): string[] {
  return inMapOrder(c.links, indexOf(c).deviceUsers.get(deviceId));
}

/** The id of the first device (in the map's order) that carries a client reference. */
export function deviceByReference(c: Config, clientReference: string): string | null {
  return inMapOrder(c.devices, indexOf(c).deviceReferences.get(clientReference))[0] ?? null;
}

export function userByReference(c: Config, clientReference: string): string | null {
  return inMapOrder(c.users, indexOf(c).userReferences.get(clientReference))[0] ?? null;
}

/** If-Match on a staged or direct write: compared with the live version (an object not live yet has none). */
export function checkVersion(
  kind: string,
  obj: { id: string; liveVersion: number | null },
  ifVersion: number | undefined,
): void {
  if (ifVersion === undefined || obj.liveVersion === null) return;
  if (obj.liveVersion !== ifVersion) throw preconditionFailed(kind, obj.id, obj.liveVersion);
}
