/**
 * Generated estates and the edits a user makes to their files between applies: users added, removed,
 * renamed (display name or key), extensions, call plans, caller IDs, area prefixes, recording and removal
 * policies changed, devices added, removed, renamed, moved to another user or rotated, two users' extensions
 * swapped, users moved between files, defaults changed. Every edit keeps the estate valid and applicable:
 * a new extension is one never used before in the account, so no apply waits on a holder outside its run.
 */
import { CallPlanId } from "../../../schemas/catalogue.ts";
import {
  ESTATE_API_VERSION,
  RemovalPolicy,
  type EstateDefaults,
  type EstateUser,
  type UserGroupDocument,
} from "../../../schemas/estate.ts";
import type { Recording } from "../../../schemas/user.ts";
import { TERMS } from "../../provider/harness.ts";
import {
  declaredUsers,
  devicesOf,
  effectiveValues,
  usersIn,
  type DeclaredUser,
  type EstateFiles,
} from "./estate-files.ts";
import type { Random } from "./random.ts";

/** The most devices a generated user has (the schema allows more; these cases need no more). */
export const MAX_GENERATED_DEVICES = 3;
export const AREA_PREFIXES = ["020", "0161", "0131", "0113", "029"] as const;
const FIRST_NAMES = ["Ann", "Bilal", "Chloe", "Dmitri", "Eilidh", "Femi", "Grace", "Hamish", "Ines", "Jun", "Kofi"];
const LAST_NAMES = ["Lee", "Okafor", "Reid", "Novak", "Fraser", "Adeyemi", "Hughes", "Ross", "Silva", "Tanaka"];
const DEVICE_KINDS = ["Desk Phone", "Softphone", "Conference Phone", "DECT Handset"];

/**
 * Names, keys and extensions handed out once each: names unique across the account (the portal changes find
 * objects by them), extensions never reused (see above). Shared by the estate and the portal changes.
 */
export class Allocator {
  private users = 0;
  private devices = 0;
  private groups = 0;
  private extension = 2000;
  private values = 0;

  private readonly random: Random;
  readonly numbers: readonly string[];

  constructor(random: Random, numbers: readonly string[]) {
    this.random = random;
    this.numbers = numbers;
  }

  userKey = () => `u${++this.users}`;
  deviceKey = () => `d${++this.devices}`;
  groupName = () => `site-${++this.groups}`;
  freshExtension = () => String(++this.extension);
  /** A value unique in this run, for names and rotations. */
  serial = () => ++this.values;

  personName = () => `${this.random.pick(FIRST_NAMES)} ${this.random.pick(LAST_NAMES)} ${this.serial()}`;
  deviceName = (owner: string) => `${owner.split(" ")[0]}'s ${this.random.pick(DEVICE_KINDS)} ${this.serial()}`;
  callPlan = () => this.random.pick(CallPlanId.options);
  areaPrefix = () => this.random.pick(AREA_PREFIXES);
  callerId = () => this.random.pick(this.numbers);
  removal = () => this.random.pick(RemovalPolicy.options);
  recording = (name: string): Recording =>
    this.random.chance(0.5)
      ? { enabled: false }
      : { enabled: true, email: `recordings-${this.serial()}@example.com`, subject: `Outbound call: ${name}` };
}

/** Some of the default fields, each with probability `p`. */
function someDefaults(random: Random, make: Allocator, p: number): EstateDefaults {
  const defaults: EstateDefaults = {};
  if (random.chance(p)) defaults.callPlan = make.callPlan();
  if (random.chance(p)) defaults.areaPrefix = make.areaPrefix();
  if (random.chance(p)) defaults.outboundCallerId = make.callerId();
  if (random.chance(p / 2)) defaults.recording = make.recording("the team");
  if (random.chance(p)) defaults.removal = make.removal();
  return defaults;
}

export function newUser(random: Random, make: Allocator, devices = random.int(0, MAX_GENERATED_DEVICES)): EstateUser {
  const name = make.personName();
  return {
    key: make.userKey(),
    name,
    extension: make.freshExtension(),
    ...someDefaults(random, make, 0.35),
    ...(random.chance(0.3) ? { recording: make.recording(name) } : {}),
    devices: Array.from({ length: devices }, () => ({
      key: make.deviceKey(),
      name: make.deviceName(name),
      ...(random.chance(0.2) ? { rotation: `r${make.serial()}` } : {}),
    })),
  };
}

/** A new estate: every required default set in the Estate document, users spread over it and 0–2 groups. */
export function newEstate(random: Random, make: Allocator, name: string, users: number): EstateFiles {
  const files: EstateFiles = {
    estate: {
      apiVersion: ESTATE_API_VERSION,
      kind: "Estate",
      metadata: { name },
      spec: {
        acceptTerms: TERMS,
        defaults: {
          ...someDefaults(random, make, 0.5),
          callPlan: make.callPlan(),
          areaPrefix: make.areaPrefix(),
          outboundCallerId: make.callerId(),
        },
        users: [],
      },
    },
    groups: [],
  };
  for (let g = random.int(0, 2); g > 0; g--) addGroup(random, make, files);
  for (let i = 0; i < users; i++) randomDocument(random, make, files, 0).push(newUser(random, make));
  return files;
}

function addGroup(random: Random, make: Allocator, files: EstateFiles): EstateUser[] {
  const group: UserGroupDocument = {
    apiVersion: ESTATE_API_VERSION,
    kind: "UserGroup",
    metadata: { name: make.groupName() },
    spec: { defaults: someDefaults(random, make, 0.5), users: [] },
  };
  files.groups.push(group);
  return group.spec.users;
}

/** The users list of a random document, or of a new group with probability `newGroup`. */
function randomDocument(random: Random, make: Allocator, files: EstateFiles, newGroup: number): EstateUser[] {
  if (random.chance(newGroup)) return addGroup(random, make, files);
  return usersIn(random.pick([files.estate, ...files.groups]));
}

function remove<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}

/** One edit to the files: changes `files` and says what it did, or returns null when it does not apply. */
type Edit = (random: Random, make: Allocator, files: EstateFiles) => string | null;

const withUser =
  (f: (d: DeclaredUser, random: Random, make: Allocator, files: EstateFiles) => string | null, minUsers = 1): Edit =>
  (random, make, files) => {
    const users = declaredUsers(files);
    return users.length < minUsers ? null : f(random.pick(users), random, make, files);
  };

const edits: Record<string, readonly [Edit, number]> = {
  addUser: [
    (random, make, files) => {
      const user = newUser(random, make);
      randomDocument(random, make, files, 0.3).push(user);
      return `add user ${user.key} (${user.extension}, ${devicesOf(user).length} devices)`;
    },
    3,
  ],
  removeUser: [
    withUser(({ user, document }) => {
      remove(usersIn(document), user);
      return `remove user ${user.key} and its ${devicesOf(user).length} devices`;
    }, 3),
    2,
  ],
  renameUser: [
    withUser(({ user }, _r, make) => {
      user.name = make.personName();
      return `rename user ${user.key} to ${user.name}`;
    }),
    1,
  ],
  // A new key is a new user: the old one is removed (its licences may be claimed by the new ones).
  changeUserKey: [
    withUser(({ user, document }, random, make) => {
      const replacement = { ...newUser(random, make, devicesOf(user).length), name: user.name };
      usersIn(document).splice(usersIn(document).indexOf(user), 1, replacement);
      return `change user key ${user.key} to ${replacement.key} (new extension ${replacement.extension})`;
    }),
    1,
  ],
  changeExtension: [
    withUser(({ user }, _r, make) => {
      user.extension = make.freshExtension();
      return `change the extension of ${user.key} to ${user.extension}`;
    }),
    2,
  ],
  changeCallPlan: [
    withUser((d, random, _m, files) => {
      const now = effectiveValues(files, d).callPlan;
      d.user.callPlan = random.pick(CallPlanId.options.filter((p) => p !== now));
      return `change the call plan of ${d.user.key} to ${d.user.callPlan}`;
    }),
    2,
  ],
  changeCallerId: [
    withUser((d, random, make, files) => {
      const now = effectiveValues(files, d).outboundCallerId;
      d.user.outboundCallerId = random.pick(make.numbers.filter((n) => n !== now));
      return `change the caller ID of ${d.user.key} to ${d.user.outboundCallerId}`;
    }),
    1,
  ],
  changeAreaPrefix: [
    withUser((d, random, _m, files) => {
      const now = effectiveValues(files, d).areaPrefix;
      d.user.areaPrefix = random.pick(AREA_PREFIXES.filter((p) => p !== now));
      return `change the area prefix of ${d.user.key} to ${d.user.areaPrefix}`;
    }),
    1,
  ],
  toggleRecording: [
    withUser((d, _r, make, files) => {
      const on = effectiveValues(files, d).recording?.enabled === true;
      d.user.recording = on
        ? { enabled: false }
        : { enabled: true, email: `recordings-${make.serial()}@example.com`, subject: `Outbound: ${d.user.name}` };
      return `turn recording ${on ? "off" : "on"} for ${d.user.key}`;
    }),
    1,
  ],
  changeRemoval: [
    withUser((d, _r, _m, files) => {
      d.user.removal = effectiveValues(files, d).removal === "immediately" ? "end-of-month" : "immediately";
      return `set the removal policy of ${d.user.key} to ${d.user.removal}`;
    }),
    1,
  ],
  addDevice: [
    withUser(({ user }, _r, make) => {
      if (devicesOf(user).length >= MAX_GENERATED_DEVICES) return null;
      const device = { key: make.deviceKey(), name: make.deviceName(user.name) };
      devicesOf(user).push(device);
      return `add device ${device.key} to ${user.key}`;
    }),
    2,
  ],
  removeDevice: [
    withUser(({ user }, random) => {
      if (devicesOf(user).length === 0) return null;
      const device = random.pick(devicesOf(user));
      remove(devicesOf(user), device);
      return `remove device ${device.key} of ${user.key}`;
    }),
    2,
  ],
  renameDevice: [
    withUser(({ user }, random, make) => {
      if (devicesOf(user).length === 0) return null;
      const device = random.pick(devicesOf(user));
      device.name = make.deviceName(user.name);
      return `rename device ${device.key} to ${device.name}`;
    }),
    1,
  ],
  rotateDevice: [
    withUser(({ user }, random, make) => {
      if (devicesOf(user).length === 0) return null;
      const device = random.pick(devicesOf(user));
      device.rotation = `r${make.serial()}`;
      return `change the rotation of device ${device.key} to ${device.rotation}`;
    }),
    1,
  ],
  moveDevice: [
    (random, _m, files) => {
      const users = declaredUsers(files).map((d) => d.user);
      const from = users.filter((u) => devicesOf(u).length > 0);
      if (from.length === 0) return null;
      const source = random.pick(from);
      const to = users.filter((u) => u !== source && devicesOf(u).length < MAX_GENERATED_DEVICES);
      if (to.length === 0) return null;
      const target = random.pick(to);
      const device = random.pick(devicesOf(source));
      remove(devicesOf(source), device);
      devicesOf(target).push(device);
      return `move device ${device.key} from ${source.key} to ${target.key}`;
    },
    2,
  ],
  swapExtensions: [
    (random, _m, files) => {
      const [a, b] = random.sample(declaredUsers(files), 2).map((d) => d.user);
      if (!a || !b) return null;
      [a.extension, b.extension] = [b.extension, a.extension];
      return `swap the extensions of ${a.key} and ${b.key}`;
    },
    2,
  ],
  moveUserToFile: [
    withUser(({ user, document }, random, make, files) => {
      const target = randomDocument(random, make, files, 0.3);
      if (target === usersIn(document)) return null;
      remove(usersIn(document), user);
      target.push(user);
      return `move user ${user.key} to another file`;
    }),
    1,
  ],
  changeDefaults: [
    (random, make, files) => {
      const document = random.pick([files.estate, ...files.groups]);
      const defaults = { ...document.spec.defaults, ...someDefaults(random, make, 0.5) };
      document.spec.defaults = defaults;
      return `change the defaults of ${document.kind === "Estate" ? "the estate" : `group ${document.metadata.name}`}`;
    },
    1,
  ],
};

/** `count` random edits (each applicable when drawn), described in order. */
export function editFiles(random: Random, make: Allocator, files: EstateFiles, count: number): string[] {
  const choices = Object.values(edits);
  const done: string[] = [];
  for (let attempts = 0; done.length < count && attempts < count * 10; attempts++) {
    const said = random.weighted(choices)(random, make, files);
    if (said !== null) done.push(said);
  }
  return done;
}
