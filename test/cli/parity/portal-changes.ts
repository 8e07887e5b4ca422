/**
 * Changes made in the portal, outside pbx-estate, through the backend's API: users and devices renamed,
 * unlinked, deleted, moved to another user; two users' extensions swapped; fields and call plans changed;
 * SIP passwords rotated; licences cancelled (at the month's end or at once) and reinstated; users outside
 * the estate made, and spare licences left pending cancellation for a create to claim. The estate's objects
 * are found by extension and device name (both unique in a generated account). Changes that would make the
 * next apply fail for reasons outside pbx-estate (a removed user still holding an extension another needs)
 * are not drawn: they are the plan-check's cases, not parity's.
 */
import { CallPlanId } from "../../../schemas/catalogue.ts";
import type { Device } from "../../../schemas/device.ts";
import type { Subscription } from "../../../schemas/subscription.ts";
import type { User } from "../../../schemas/user.ts";
import { AREA_PREFIXES, type Allocator } from "./estate-edits.ts";
import { declaredUsers, devicesOf, type EstateFiles } from "./estate-files.ts";
import type { Portal } from "./portal.ts";
import type { Random } from "./random.ts";

/** The account as the portal changes see it while they run. */
interface Scene {
  random: Random;
  make: Allocator;
  portal: Portal;
  /** Live users of the estate, still declared after this case's edits. */
  users: User[];
  /** Live devices of the estate. */
  devices: Device[];
  subscriptions: Subscription[];
  gone: Set<string>;
  /** Extensions the files declare that no live object holds yet (new users, changed extensions). */
  unclaimedExtensions: string[];
  /** What puts the account right again before the case's apply. */
  undo: (() => Promise<unknown>)[];
}

type Change = (scene: Scene) => Promise<string | null>;

const present = <T extends { id: string }>(scene: Scene, items: T[]) => items.filter((o) => !scene.gone.has(o.id));

function pickPresent<T extends { id: string }>(scene: Scene, items: T[]): T | null {
  const candidates = present(scene, items);
  return candidates.length === 0 ? null : scene.random.pick(candidates);
}

const licenceOf = (scene: Scene, id: string) => scene.subscriptions.find((s) => s.id === id);

function remember(scene: Scene, licence: Subscription): void {
  scene.subscriptions = [...scene.subscriptions.filter((s) => s.id !== licence.id), licence];
}

/** Cancels a freed licence now, at the month's end, or not at all. */
async function maybeCancel(scene: Scene, licenceId: string): Promise<string> {
  const effective = scene.random.weighted([
    ["none", 2],
    ["end-of-month", 2],
    ["immediately", 1],
  ] as const);
  if (effective === "none") return "";
  remember(scene, await scene.portal.cancel(licenceId, effective));
  return `, its licence cancelled ${effective === "immediately" ? "at once" : "at the month's end"}`;
}

const changes: Record<string, readonly [Change, number]> = {
  renameUser: [
    async (scene) => {
      const user = pickPresent(scene, scene.users);
      if (!user) return null;
      const name = scene.make.personName();
      await scene.portal.updateUser(user.id, { name });
      return `portal: rename user ${user.extension} to ${name}`;
    },
    2,
  ],
  renameDevice: [
    async (scene) => {
      const device = pickPresent(scene, scene.devices);
      if (!device) return null;
      const name = scene.make.deviceName("Portal");
      await scene.portal.call("PATCH", `/v1/devices/${device.id}`, { name });
      return `portal: rename device ${device.name} to ${name}`;
    },
    1,
  ],
  unlinkDevice: [
    async (scene) => {
      const device = pickPresent(
        scene,
        scene.devices.filter((d) => d.userId !== null && !scene.gone.has(d.userId)),
      );
      if (!device?.userId) return null;
      await scene.portal.unlink(device.userId, device.id);
      device.userId = null;
      return `portal: unlink device ${device.name}`;
    },
    2,
  ],
  deleteDevice: [
    async (scene) => {
      const device = pickPresent(scene, scene.devices);
      if (!device) return null;
      if (device.userId !== null && !scene.gone.has(device.userId)) await scene.portal.unlink(device.userId, device.id);
      await scene.portal.call("DELETE", `/v1/devices/${device.id}`);
      scene.gone.add(device.id);
      return `portal: delete device ${device.name}${await maybeCancel(scene, device.licenceId)}`;
    },
    2,
  ],
  deleteUser: [
    async (scene) => {
      const user = pickPresent(scene, scene.users);
      if (!user) return null;
      await scene.portal.call("DELETE", `/v1/users/${user.id}`);
      scene.gone.add(user.id);
      for (const d of scene.devices) if (d.userId === user.id) d.userId = null;
      return `portal: delete user ${user.extension}${await maybeCancel(scene, user.licenceId)}`;
    },
    2,
  ],
  // Pending cancellation in the portal: the estate's licence of a live object, or any licence nothing holds.
  cancelLicence: [
    async (scene) => {
      // Held as listed (by any user or device of the account), unless deleted since.
      const free = scene.subscriptions.filter(
        (s) => s.status === "active" && (s.holder === null || scene.gone.has(s.holder.id)),
      );
      if (free.length === 0) return null;
      const licence = scene.random.pick(free);
      const effective = scene.random.chance(0.7) ? "end-of-month" : "immediately";
      remember(scene, await scene.portal.cancel(licence.id, effective));
      return `portal: cancel free licence ${licence.product} ${licence.callPlan ?? ""} (${effective})`;
    },
    1,
  ],
  reinstateLicence: [
    async (scene) => {
      const scheduled = scene.subscriptions.filter((s) => s.status === "cancellation-scheduled");
      if (scheduled.length === 0) return null;
      const licence = scene.random.pick(scheduled);
      remember(scene, await scene.portal.reinstate(licence.id));
      return `portal: reinstate ${licence.product} ${licence.callPlan ?? ""} pending cancellation`;
    },
    2,
  ],
  rotatePassword: [
    async (scene) => {
      const device = pickPresent(scene, scene.devices);
      if (!device) return null;
      await scene.portal.call("POST", `/v1/devices/${device.id}/rotate-password`);
      return `portal: rotate the SIP password of ${device.name}`;
    },
    2,
  ],
  changeUserField: [
    async (scene) => {
      const user = pickPresent(scene, scene.users);
      if (!user) return null;
      const { random, make } = scene;
      const field = random.pick(["extension", "outboundCallerId", "areaPrefix", "recording"] as const);
      const value =
        field === "extension"
          ? make.freshExtension()
          : field === "outboundCallerId"
            ? random.pick(make.numbers.filter((n) => n !== user.outboundCallerId))
            : field === "areaPrefix"
              ? random.pick(AREA_PREFIXES.filter((p) => p !== user.areaPrefix))
              : user.recording.enabled
                ? { enabled: false }
                : { enabled: true, email: "portal@example.com", subject: "Set in the portal" };
      await scene.portal.updateUser(user.id, { [field]: value });
      const before = user.extension;
      if (field === "extension") user.extension = value as string;
      return `portal: change ${field} of user ${before}`;
    },
    3,
  ],
  changeCallPlan: [
    async (scene) => {
      const user = pickPresent(scene, scene.users);
      const licence = user && licenceOf(scene, user.licenceId);
      if (!user || !licence || licence.status === "cancelled") return null;
      const callPlan = scene.random.pick(CallPlanId.options.filter((p) => p !== licence.callPlan));
      remember(scene, await scene.portal.call("POST", `/v1/subscriptions/${licence.id}/call-plan`, { callPlan }));
      return `portal: change the call plan of user ${user.extension} to ${callPlan}`;
    },
    2,
  ],
  swapExtensions: [
    async (scene) => {
      const [a, b] = scene.random.sample(present(scene, scene.users), 2);
      if (!a || !b) return null;
      const [ea, eb] = [a.extension, b.extension];
      await scene.portal.updateUser(a.id, { extension: scene.make.freshExtension() });
      await scene.portal.updateUser(b.id, { extension: ea });
      await scene.portal.updateUser(a.id, { extension: eb });
      [a.extension, b.extension] = [eb, ea];
      return `portal: swap the extensions of users ${ea} and ${eb}`;
    },
    2,
  ],
  moveDevice: [
    async (scene) => {
      const device = pickPresent(scene, scene.devices);
      const target = pickPresent(
        scene,
        scene.users.filter((u) => u.id !== device?.userId),
      );
      if (!device || !target) return null;
      if (device.userId !== null && !scene.gone.has(device.userId)) await scene.portal.unlink(device.userId, device.id);
      await scene.portal.link(target.id, device.id);
      device.userId = target.id;
      return `portal: move device ${device.name} to user ${target.extension}`;
    },
    2,
  ],
  // Objects beside the estate: a user made by hand, its licence perhaps left pending cancellation later.
  addOutsideUser: [
    async (scene) => {
      const { make, portal, random } = scene;
      const devices = random.int(0, 1);
      const [licence, ...deviceLicences] = await portal.order([
        { product: "user-licence", callPlan: make.callPlan() },
        ...Array.from({ length: devices }, () => ({ product: "sip-device-licence" as const })),
      ]);
      const name = make.personName();
      const deviceIds: string[] = [];
      for (const l of deviceLicences) deviceIds.push((await portal.createDevice(make.deviceName(name), l.id)).id);
      const user = await portal.createUser({
        name,
        extension: make.freshExtension(),
        licenceId: licence!.id,
        areaPrefix: make.areaPrefix(),
        outboundCallerId: make.callerId(),
        deviceIds,
      });
      return `portal: add user ${user.extension} outside the estate`;
    },
    1,
  ],
  // An extension the files are about to give a user taken by a user made in the portal: `plan` should refuse
  // (and say who holds it); removed again before the case's apply, so the stack goes on.
  blockExtension: [
    async (scene) => {
      if (scene.unclaimedExtensions.length === 0) return null;
      const { make, portal, random } = scene;
      const extension = random.pick(scene.unclaimedExtensions);
      scene.unclaimedExtensions = scene.unclaimedExtensions.filter((e) => e !== extension);
      const [licence] = await portal.order([{ product: "user-licence", callPlan: make.callPlan() }]);
      const blocker = await portal.createUser({
        name: make.personName(),
        extension,
        licenceId: licence!.id,
        areaPrefix: make.areaPrefix(),
        outboundCallerId: make.callerId(),
      });
      scene.undo.push(async () => {
        await portal.call("DELETE", `/v1/users/${blocker.id}`);
        await portal.cancel(licence!.id, "immediately");
      });
      return `portal: a user outside the estate takes extension ${extension}, which the files give a user (undone before the apply)`;
    },
    1,
  ],
  spareLicence: [
    async (scene) => {
      const { make, portal, random } = scene;
      const item = random.chance(0.5)
        ? { product: "user-licence" as const, callPlan: make.callPlan() }
        : { product: "sip-device-licence" as const };
      const [licence] = await portal.order([item]);
      remember(scene, await portal.cancel(licence!.id, "end-of-month"));
      return `portal: order a ${item.product} ${item.callPlan ?? ""} and cancel it at the month's end`;
    },
    1,
  ],
};

export interface PortalChanges {
  /** What was changed, in order. */
  said: string[];
  /** Takes back the changes no apply could get past (run before the case's apply). */
  undo(): Promise<void>;
}

/**
 * `count` random changes in the portal to the estate's objects as they are live now (after the last apply),
 * drawn once the files' edits of this case are known.
 */
export async function changeInPortal(
  random: Random,
  make: Allocator,
  portal: Portal,
  files: EstateFiles,
  count: number,
): Promise<PortalChanges> {
  const live = await portal.live();
  const declared = declaredUsers(files);
  const extensions = new Set(declared.map((d) => d.user.extension));
  const deviceNames = new Set(declared.flatMap((d) => devicesOf(d.user).map((device) => device.name)));
  const scene: Scene = {
    random,
    make,
    portal,
    // Users the files no longer declare are left alone: the apply removes them last, and what they hold
    // live (an extension a swap gave them) would block the others until then.
    users: live.users.filter((u) => extensions.has(u.extension)),
    devices: live.devices.filter((d) => deviceNames.has(d.name)),
    subscriptions: live.subscriptions,
    gone: new Set(),
    unclaimedExtensions: [...extensions].filter((e) => !live.users.some((u) => u.extension === e)),
    undo: [],
  };
  const choices = Object.values(changes);
  const done: string[] = [];
  for (let attempts = 0; done.length < count && attempts < count * 10; attempts++) {
    const said = await random.weighted(choices)(scene);
    if (said !== null) done.push(said);
  }
  return {
    said: done,
    undo: async () => {
      for (const step of scene.undo) await step();
    },
  };
}
