// The PBX configuration as a value: live state loaded from the store, operations replayed on top of it.
// Staging replays a change set to check each operation; apply replays it on the current live state and
// also checks the rules of the live configuration (extension unique, device linked to at most one user).
import { ApiError, conflict, invalidField, notFound, preconditionFailed } from "../errors.ts";
import { MAX_DEVICES_PER_USER } from "../../schemas/user.ts";

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

export type UserFields = Omit<UserState, "id" | "liveVersion" | "createdAt" | "updatedAt">;

export type Op =
  | { op: "device.create"; id: string; clientReference: string | null; name: string; licenceId: string; sipUsername: string; ha1: string; passwordFingerprint: string }
  | { op: "device.update"; id: string; ifVersion?: number; name?: string; licenceId?: string }
  | { op: "device.rotate"; id: string; ifVersion?: number; ha1: string; passwordFingerprint: string }
  | { op: "device.delete"; id: string; ifVersion?: number }
  | ({ op: "user.create"; id: string; callPlan?: string } & UserFields)
  | { op: "user.update"; id: string; ifVersion?: number; callPlan?: string; patch: Partial<Omit<UserFields, "clientReference">> }
  | { op: "user.delete"; id: string; ifVersion?: number }
  | { op: "user.link"; id: string; deviceId: string; ifVersion?: number }
  | { op: "user.unlink"; id: string; deviceId: string; ifVersion?: number };

export interface Context {
  licences: Map<string, Licence>;
  numbers: string[];
}

/**
 * A copy to change: the maps are new, the objects and link sets in them are shared. Nothing changes a
 * shared object or set in place (applyOp and the revision stamps replace them), so a copy costs the maps
 * alone, not the whole account.
 */
export function cloneConfig(c: Config): Config {
  return { devices: new Map(c.devices), users: new Map(c.users), links: new Map(c.links) };
}

/** The users each linked device is linked to (one pass over the links, for rules over every device). */
export function deviceUsers(c: Config): Map<string, string[]> {
  const users = new Map<string, string[]>();
  for (const [userId, set] of c.links) for (const deviceId of set) users.set(deviceId, [...(users.get(deviceId) ?? []), userId]);
  return users;
}

export function usersOfDevice(c: Config, deviceId: string): string[] {
  const out: string[] = [];
  for (const [userId, set] of c.links) if (set.has(deviceId)) out.push(userId);
  return out;
}

type Holder = { kind: "user" | "device"; id: string; name: string };
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

export function holderOf(c: Config, licenceId: string, except?: string): { kind: "user" | "device"; id: string; name: string } | null {
  for (const d of c.devices.values()) if (d.licenceId === licenceId && d.id !== except) return { kind: "device", id: d.id, name: d.name };
  for (const u of c.users.values()) if (u.licenceId === licenceId && u.id !== except) return { kind: "user", id: u.id, name: u.name };
  return null;
}

function checkVersion(kind: string, obj: { id: string; liveVersion: number | null }, ifVersion: number | undefined): void {
  if (ifVersion === undefined || obj.liveVersion === null) return;
  if (obj.liveVersion !== ifVersion) throw preconditionFailed(kind, obj.id, obj.liveVersion);
}

/** The licence rules shared by device and user create/update: exists, right product, active, free. */
export function checkLicence(c: Config, ctx: Context, licenceId: string, product: string, self: string): Licence {
  const licence = ctx.licences.get(licenceId);
  if (!licence) throw invalidField("licenceId", "exists", `no subscription ${licenceId} in this account`, "licence-not-found");
  if (licence.product !== product)
    throw conflict("licence-wrong-product", `subscription ${licenceId} is a ${licence.product}, not a ${product}`, { licenceId, product: licence.product });
  if (licence.status === "cancelled") throw conflict("licence-cancelled", `subscription ${licenceId} is cancelled`, { licenceId });
  if (licence.status === "cancellation-scheduled")
    throw conflict("licence-cancellation-scheduled", `subscription ${licenceId} is scheduled for cancellation; reinstate it first`, { licenceId });
  const holder = holderOf(c, licenceId, self);
  if (holder) throw conflict("licence-held", `subscription ${licenceId} is held by ${holder.kind} ${holder.id} (${holder.name})`, { licenceId, holders: [holder] });
  return licence;
}

function checkUserFields(c: Config, ctx: Context, user: UserState, callPlan: string | undefined, licenceChanged: boolean): void {
  const licence = licenceChanged ? checkLicence(c, ctx, user.licenceId, "user-licence", user.id) : ctx.licences.get(user.licenceId);
  if (callPlan !== undefined && licence && licence.callPlan !== callPlan)
    throw conflict("call-plan-mismatch", `licence ${user.licenceId} carries call plan ${licence.callPlan ?? "none"}; change the subscription's call plan instead`, {
      fields: [{ path: "callPlan", rule: "matches-licence", message: `must be ${licence.callPlan ?? "none"}` }],
    });
  if (!ctx.numbers.includes(user.outboundCallerId))
    throw invalidField("outboundCallerId", "account-number", `${user.outboundCallerId} is not one of the account's numbers`, "caller-id-not-owned");
}

function device(c: Config, id: string): DeviceState {
  const d = c.devices.get(id);
  if (!d) throw notFound("device", id);
  return d;
}
function user(c: Config, id: string): UserState {
  const u = c.users.get(id);
  if (!u) throw notFound("user", id);
  return u;
}
function linkedDevice(c: Config, id: string): DeviceState {
  const d = c.devices.get(id);
  if (!d) throw invalidField("deviceId", "exists", `no device ${id} in this account`, "device-not-found");
  return d;
}

/** Applies one operation to `c` in place, checking the rules that hold at every step. */
export function applyOp(c: Config, ctx: Context, op: Op): void {
  switch (op.op) {
    case "device.create": {
      if (c.devices.has(op.id)) throw conflict("already-exists", `device ${op.id} already exists`);
      checkLicence(c, ctx, op.licenceId, "sip-device-licence", op.id);
      c.devices.set(op.id, {
        id: op.id,
        clientReference: op.clientReference,
        name: op.name,
        licenceId: op.licenceId,
        sipUsername: op.sipUsername,
        ha1: op.ha1,
        passwordFingerprint: op.passwordFingerprint,
        liveVersion: null,
        createdAt: null,
        updatedAt: null,
      });
      return;
    }
    case "device.update": {
      const d = device(c, op.id);
      checkVersion("device", d, op.ifVersion);
      if (op.licenceId !== undefined && op.licenceId !== d.licenceId) checkLicence(c, ctx, op.licenceId, "sip-device-licence", d.id);
      c.devices.set(d.id, { ...d, ...(op.name !== undefined ? { name: op.name } : {}), ...(op.licenceId !== undefined ? { licenceId: op.licenceId } : {}) });
      return;
    }
    case "device.rotate": {
      const d = device(c, op.id);
      checkVersion("device", d, op.ifVersion);
      c.devices.set(d.id, { ...d, ha1: op.ha1, passwordFingerprint: op.passwordFingerprint });
      return;
    }
    case "device.delete": {
      const d = device(c, op.id);
      checkVersion("device", d, op.ifVersion);
      const holders = usersOfDevice(c, d.id).map((id) => ({ kind: "user" as const, id, name: c.users.get(id)?.name ?? "" }));
      if (holders.length > 0)
        throw conflict("device-linked", `device ${d.id} is linked to user ${holders.map((h) => h.id).join(", ")}; unlink it first`, { holders });
      c.devices.delete(d.id);
      return;
    }
    case "user.create": {
      if (c.users.has(op.id)) throw conflict("already-exists", `user ${op.id} already exists`);
      const u: UserState = {
        id: op.id,
        clientReference: op.clientReference,
        name: op.name,
        extension: op.extension,
        licenceId: op.licenceId,
        areaPrefix: op.areaPrefix,
        outboundCallerId: op.outboundCallerId,
        recording: op.recording,
        liveVersion: null,
        createdAt: null,
        updatedAt: null,
      };
      checkUserFields(c, ctx, u, op.callPlan, true);
      c.users.set(u.id, u);
      c.links.set(u.id, new Set());
      return;
    }
    case "user.update": {
      const u = user(c, op.id);
      checkVersion("user", u, op.ifVersion);
      const next: UserState = { ...u, ...op.patch };
      checkUserFields(c, ctx, next, op.callPlan, op.patch.licenceId !== undefined && op.patch.licenceId !== u.licenceId);
      c.users.set(u.id, next);
      return;
    }
    case "user.delete": {
      const u = user(c, op.id);
      checkVersion("user", u, op.ifVersion);
      c.users.delete(u.id);
      c.links.delete(u.id); // its devices are unlinked; its licence becomes free
      return;
    }
    case "user.link": {
      const u = user(c, op.id);
      checkVersion("user", u, op.ifVersion);
      linkedDevice(c, op.deviceId);
      const linked = new Set(c.links.get(u.id)).add(op.deviceId);
      if (linked.size > MAX_DEVICES_PER_USER) {
        throw conflict("too-many-devices", `user ${u.id} has ${MAX_DEVICES_PER_USER} devices linked, the most a user may have; unlink one first`, { limit: MAX_DEVICES_PER_USER });
      }
      c.links.set(u.id, linked);
      return;
    }
    case "user.unlink": {
      const u = user(c, op.id);
      checkVersion("user", u, op.ifVersion);
      const set = c.links.get(u.id);
      if (!set?.has(op.deviceId)) throw conflict("device-not-linked", `device ${op.deviceId} is not linked to user ${u.id}`);
      const rest = new Set(set);
      rest.delete(op.deviceId);
      c.links.set(u.id, rest);
      return;
    }
  }
}

/** The rules of the live configuration, checked when a change set is applied. */
export function checkLiveRules(c: Config): void {
  const byExtension = new Map<string, UserState>();
  for (const u of c.users.values()) {
    const other = byExtension.get(u.extension);
    if (other)
      throw conflict("extension-taken", `extension ${u.extension} would be held by both user ${other.id} (${other.name}) and user ${u.id} (${u.name})`, {
        extension: u.extension,
        holders: [
          { kind: "user", id: other.id, name: other.name },
          { kind: "user", id: u.id, name: u.name },
        ],
      });
    byExtension.set(u.extension, u);
  }
  const usersOf = deviceUsers(c);
  for (const d of c.devices.values()) {
    const owners = usersOf.get(d.id) ?? [];
    if (owners.length > 1)
      throw conflict("device-link-conflict", `device ${d.id} (${d.name}) would be linked to users ${owners.join(" and ")}`, {
        deviceId: d.id,
        holders: owners.map((id) => ({ kind: "user" as const, id, name: c.users.get(id)?.name ?? "" })),
      });
  }
  const licenceHolders = new Map<string, string>();
  for (const o of [...c.devices.values(), ...c.users.values()]) {
    const other = licenceHolders.get(o.licenceId);
    if (other) throw conflict("licence-held", `licence ${o.licenceId} would be held by ${other} and ${o.id}`);
    licenceHolders.set(o.licenceId, o.id);
  }
}

/** Replays `ops` on a copy of `live`; `strict` adds the live-configuration rules (apply). */
export function replay(live: Config, ctx: Context, ops: readonly Op[], strict: boolean): Config {
  const c = cloneConfig(live);
  for (const op of ops) applyOp(c, ctx, op);
  if (strict) checkLiveRules(c);
  return c;
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}
