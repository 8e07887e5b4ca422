// Lookups by value in a configuration: who holds a licence, which users a device is linked to, which object
// carries a client reference. A check per operation must not walk the whole account (that made a change
// set of n operations cost n × the account), so each configuration has an index of these, built the first
// time it is asked (one pass) and kept true by the mutations in model.ts (`putDevice` … `setLinks`), the
// only way the operations change a configuration. A copy (configuration/model.ts `cloneConfig`) takes a
// copy of its original's index, which shares the original's lookups and keeps its own changes on top: a
// copy of the index costs the changes since it was last flattened, not the account.
import type { Config, DeviceState, UserState } from "./config-state.ts";

/** Lists of ids by key, whose copies share an unchanging base and each keep their own changes on top. */
export class IdLists {
  private base: ReadonlyMap<string, readonly string[]>;
  /** Changes over `base`; undefined: the key was removed. */
  private top = new Map<string, readonly string[] | undefined>();

  constructor(base: ReadonlyMap<string, readonly string[]> = new Map()) {
    this.base = base;
  }

  get(key: string): readonly string[] | undefined {
    return this.top.has(key) ? this.top.get(key) : this.base.get(key);
  }

  /** Adds `id` to the list of `key` (a new list: lists are shared by copies). */
  add(key: string | null, id: string): void {
    if (key === null) return;
    const list = this.get(key);
    if (!list) this.top.set(key, [id]);
    else if (!list.includes(id)) this.top.set(key, [...list, id]);
  }

  remove(key: string | null, id: string): void {
    if (key === null) return;
    const list = this.get(key);
    if (!list?.includes(id)) return;
    this.top.set(key, list.length === 1 ? undefined : list.filter((x) => x !== id));
  }

  /** A copy that shares the base; the changes on top are folded into a new base first once they are many. */
  copy(): IdLists {
    if (this.top.size * 8 > this.base.size + 64) this.flatten();
    const copy = new IdLists(this.base);
    for (const [key, list] of this.top) copy.top.set(key, list);
    return copy;
  }

  /** Same lists, all in a new base (the old one may be shared: it is never changed). */
  private flatten(): void {
    const merged = new Map(this.base);
    for (const [key, list] of this.top) {
      if (list) merged.set(key, list);
      else merged.delete(key);
    }
    this.base = merged;
    this.top = new Map();
  }
}

export interface ConfigIndex {
  /** licence id → the devices holding it (one, but a list: the answer must not depend on the index). */
  licenceDevices: IdLists;
  licenceUsers: IdLists;
  /** device id → the users it is linked to (one, except transiently inside a change set). */
  deviceUsers: IdLists;
  deviceReferences: IdLists;
  userReferences: IdLists;
}

const indexes = new WeakMap<Config, ConfigIndex>();

function build(c: Config): ConfigIndex {
  const lists = () => new Map<string, string[]>();
  const add = (map: Map<string, string[]>, key: string | null, id: string): void => {
    if (key === null) return;
    const list = map.get(key);
    if (!list) map.set(key, [id]);
    else if (!list.includes(id)) list.push(id); // not shared yet
  };
  const licenceDevices = lists();
  const deviceReferences = lists();
  const licenceUsers = lists();
  const userReferences = lists();
  const deviceUsers = lists();
  for (const d of c.devices.values()) {
    add(licenceDevices, d.licenceId, d.id);
    add(deviceReferences, d.clientReference, d.id);
  }
  for (const u of c.users.values()) {
    add(licenceUsers, u.licenceId, u.id);
    add(userReferences, u.clientReference, u.id);
  }
  for (const [userId, set] of c.links) for (const deviceId of set) add(deviceUsers, deviceId, userId);
  return {
    licenceDevices: new IdLists(licenceDevices),
    licenceUsers: new IdLists(licenceUsers),
    deviceUsers: new IdLists(deviceUsers),
    deviceReferences: new IdLists(deviceReferences),
    userReferences: new IdLists(userReferences),
  };
}

/** The index of `c`, built now if it has none. */
export function indexOf(c: Config): ConfigIndex {
  let index = indexes.get(c);
  if (!index) {
    index = build(c);
    indexes.set(c, index);
  }
  return index;
}

/**
 * Gives `copy` (a new copy of `original`) a copy of the original's index, building that first if needed:
 * copies are made to be changed and checked, and the original is usually copied again (the live
 * configuration, once per write), so it is indexed once rather than each copy anew.
 */
export function copyIndex(original: Config, copy: Config): void {
  const index = indexOf(original);
  indexes.set(copy, {
    licenceDevices: index.licenceDevices.copy(),
    licenceUsers: index.licenceUsers.copy(),
    deviceUsers: index.deviceUsers.copy(),
    deviceReferences: index.deviceReferences.copy(),
    userReferences: index.userReferences.copy(),
  });
}

/** Records that `before` (absent: none) became `after` (absent: deleted) in the index, if `c` has one. */
export function indexDevice(c: Config, before: DeviceState | undefined, after: DeviceState | undefined): void {
  const index = indexes.get(c);
  if (!index) return;
  if (before) {
    index.licenceDevices.remove(before.licenceId, before.id);
    index.deviceReferences.remove(before.clientReference, before.id);
  }
  if (after) {
    index.licenceDevices.add(after.licenceId, after.id);
    index.deviceReferences.add(after.clientReference, after.id);
  }
}

export function indexUser(c: Config, before: UserState | undefined, after: UserState | undefined): void {
  const index = indexes.get(c);
  if (!index) return;
  if (before) {
    index.licenceUsers.remove(before.licenceId, before.id);
    index.userReferences.remove(before.clientReference, before.id);
  }
  if (after) {
    index.licenceUsers.add(after.licenceId, after.id);
    index.userReferences.add(after.clientReference, after.id);
  }
}

export function indexLinks(
  c: Config,
  userId: string,
  before: ReadonlySet<string> | undefined,
  after: ReadonlySet<string> | undefined,
): void {
  const index = indexes.get(c);
  if (!index) return;
  for (const deviceId of before ?? []) if (!after?.has(deviceId)) index.deviceUsers.remove(deviceId, userId);
  for (const deviceId of after ?? []) index.deviceUsers.add(deviceId, userId);
}

/**
 * `ids` (found in the index) in the order `objects` holds them, as a walk over the whole map would list
 * them: one needs no walk; several (only transiently, or where a rule is already broken) take one.
 */
export function inMapOrder(objects: ReadonlyMap<string, unknown>, ids: readonly string[] | undefined): string[] {
  if (ids === undefined) return [];
  if (ids.length <= 1) return [...ids];
  const wanted = new Set(ids);
  return [...objects.keys()].filter((id) => wanted.has(id));
}
