// The PBX configuration as a value: the live state of an account's devices, users and links, and what
// every resource's operations check against (licences, numbers). Operations are replayed on it by
// operations.ts; each resource's operations and rules live in its folder (devices/, users/).
import { preconditionFailed } from "../errors.ts";

export interface DeviceState {
  id: string;
  clientReference: string | null;
  name: string;
  licenceId: string;
  sipUsername: string;
  ha1: string;
  passwordFingerprint: string;
  liveVersion: number | null; // null: not live yet
  createdAt: Date | null;
  updatedAt: Date | null;
}

export interface RecordingState {
  enabled: boolean;
  email?: string;
  subject?: string;
}

export interface UserState {
  id: string;
  clientReference: string | null;
  name: string;
  extension: string;
  licenceId: string;
  areaPrefix: string;
  outboundCallerId: string;
  recording: RecordingState;
  liveVersion: number | null;
  createdAt: Date | null;
  updatedAt: Date | null;
}

export interface Licence {
  id: string;
  product: string;
  callPlan: string | null;
  status: string;
  cancellationEffectiveAt: Date | null;
}

export interface Config {
  devices: Map<string, DeviceState>;
  users: Map<string, UserState>;
  /** user id → set of linked device ids (a device may transiently sit in two sets inside a change set). */
  links: Map<string, Set<string>>;
}

export interface Context {
  licences: Map<string, Licence>;
  numbers: string[];
}

/**
 * A copy to change: the maps are new, the objects and link sets in them are shared. Nothing changes a
 * shared object or set in place (the operations and the revision stamps replace them), so a copy costs the
 * maps alone, not the whole account.
 */
export function cloneConfig(c: Config): Config {
  return { devices: new Map(c.devices), users: new Map(c.users), links: new Map(c.links) };
}

/** The users each linked device is linked to (one pass over the links, for rules over every device). */
export function deviceUsers(c: Config): Map<string, string[]> {
  const users = new Map<string, string[]>();
  for (const [userId, set] of c.links)
    for (const deviceId of set) users.set(deviceId, [...(users.get(deviceId) ?? []), userId]);
  return users;
}

export function usersOfDevice(c: Config, deviceId: string): string[] {
  const out: string[] = [];
  for (const [userId, set] of c.links) if (set.has(deviceId)) out.push(userId);
  return out;
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
