/**
 * Turns the engine's steps for an estate into the plan people read: per user and per device, the fields
 * that change (the provider's own diff rules decide what counts as a change), with each licence's changes
 * folded into its holder, device links shown as device keys, and the licences and cost beside them.
 */
import { changedFields, deviceDiff, subscriptionDiff, userDiff, type DiffSpec } from "../../../provider/contract.ts";
import type { Whoami } from "../../../schemas/account.ts";
import type { Catalogue } from "../../../schemas/catalogue.ts";
import type { Subscription } from "../../../schemas/subscription.ts";
import type { ResolvedEstate, ResolvedUser } from "../../../schemas/estate.ts";
import { licenceChanges } from "./licences.ts";
import type {
  ChangeCounts,
  DeviceChange,
  EntityOp,
  EstatePlan,
  FieldChange,
  LicenceClaim,
  PlanValue,
  UserChange,
} from "./model.ts";
import type { EstateStep, ResourceState } from "./steps.ts";
import { KNOWN_AFTER_APPLY, planValue } from "./values.ts";

export interface PlanContext {
  /** The estate as declared now; absent when removing it (destroy). */
  estate?: ResolvedEstate;
  stack: string;
  account: Whoami;
  catalogue: Catalogue;
  now: Date;
  /** Live licences an earlier run of this stack made (see licences.ts): planned as adopted, not ordered. */
  madeByStack?: readonly Subscription[];
  /** Licences pending cancellation the new licences claim (see claims.ts): planned as claims, not orders. */
  claims?: readonly LicenceClaim[];
}

/** The estate file's name for a resource property, where they differ (live-only fields: what they stand for). */
const fieldNames: Record<string, string> = {
  deviceIds: "devices",
  licenceId: "licence",
  termsVersion: "acceptTerms",
  passwordChange: "password",
  status: "licence status",
};

/**
 * Licence fields (as named above) shown on their holder; `claimPending` is the SDK's default. A licence
 * scheduled for cancellation outside pbx-estate shows as its status put back to active.
 */
const licenceFields = new Set(["product", "removal", "acceptTerms", "licence status"]);

interface Entity {
  main?: EstateStep;
  licence?: EstateStep;
}

function group(steps: readonly EstateStep[], main: "user" | "device"): Map<string, Entity> {
  const entities = new Map<string, Entity>();
  for (const step of steps) {
    if (step.kind !== main && step.kind !== `${main}-licence`) continue;
    const entity = entities.get(step.key) ?? {};
    if (step.kind === main) entity.main = step;
    else entity.licence = step;
    entities.set(step.key, entity);
  }
  return entities;
}

function entityOp(entity: Entity): EntityOp | undefined {
  const main = entity.main?.op;
  if (main && main !== "same") return main;
  const licence = entity.licence?.op;
  return licence && licence !== "same" ? "update" : undefined;
}

/** Changed fields between the state before (live, after a refresh) and the declared inputs. */
function fieldChanges(
  spec: DiffSpec,
  step: EstateStep | undefined,
  skip: ReadonlySet<string> = new Set(),
): FieldChange[] {
  if (!step?.old || !step.new || (step.op !== "update" && step.op !== "replace")) return [];
  const before = step.old.outputs;
  const after = step.new.inputs;
  // A live-only field (a licence's status, a device's password) can only have been changed outside pbx-estate.
  const outOfBand = new Set([...changedFields(spec, step.old.inputs, before), ...Object.keys(spec.liveMustBe ?? {})]);
  // State leaves out values equal to their default: an absent value reads as its default.
  const valueOf = (values: Record<string, unknown>, field: string) => values[field] ?? spec.defaults?.[field];
  return changedFields(spec, before, after)
    .filter((field) => !skip.has(field))
    .map((field) => ({
      field: fieldNames[field] ?? field,
      from: planValue(valueOf(before, field)),
      to: planValue(spec.liveMustBe && field in spec.liveMustBe ? spec.liveMustBe[field] : valueOf(after, field)),
      ...(outOfBand.has(field) ? { outOfBand: true } : {}),
    }));
}

/** Which key each recorded id belongs to, so device links read as keys rather than ids. */
function keysById(steps: readonly EstateStep[]): Map<string, string> {
  const keys = new Map<string, string>();
  for (const step of steps) {
    for (const state of [step.old, step.new]) if (state?.id) keys.set(state.id, step.key);
  }
  return keys;
}

function linkedDevices(state: ResourceState | undefined, keys: Map<string, string>): string[] {
  const ids = state?.outputs.deviceIds;
  return Array.isArray(ids) ? ids.map((id) => keys.get(String(id)) ?? String(id)).sort() : [];
}

function userLabel(declared: ResolvedUser | undefined, step: EstateStep | undefined): string {
  const source = declared ?? step?.new?.inputs ?? step?.old?.outputs ?? {};
  const extension = typeof source.extension === "string" ? source.extension : "?";
  const name = typeof source.name === "string" ? source.name : "?";
  return `${extension} ${name}`;
}

/** A created user's rows, in this order: one per declared field (a field missing here does not compile). */
const createdUserRows: { [F in Exclude<keyof ResolvedUser, "key" | "location">]: (user: ResolvedUser) => PlanValue } = {
  name: (user) => user.name,
  extension: (user) => user.extension,
  callPlan: (user) => user.callPlan,
  areaPrefix: (user) => user.areaPrefix,
  outboundCallerId: (user) => user.outboundCallerId,
  recording: (user) => planValue(user.recording),
  devices: (user) => user.devices.map((d) => d.key).sort(),
  removal: (user) => user.removal,
};

function createdUserFields(user: ResolvedUser): FieldChange[] {
  return Object.entries(createdUserRows).map(([field, value]) => ({ field, to: value(user) }));
}

function userChanges(steps: readonly EstateStep[], context: PlanContext, keys: Map<string, string>): UserChange[] {
  const declared = new Map((context.estate?.users ?? []).map((u) => [u.key, u]));
  const changes: UserChange[] = [];
  for (const [key, entity] of group(steps, "user")) {
    const op = entityOp(entity);
    if (!op) continue;
    const user = declared.get(key);
    let fields: FieldChange[] = [];
    if (op === "create" && user) fields = createdUserFields(user);
    else if (op !== "delete") {
      fields = fieldChanges(userDiff, entity.main).flatMap((change): FieldChange[] => {
        if (change.field !== "devices") return [change];
        // Device ids of new devices are unknown until the apply: compare keys, as declared.
        const from = linkedDevices(entity.main?.old, keys);
        const to = user ? user.devices.map((d) => d.key).sort() : [KNOWN_AFTER_APPLY];
        return from.join() === to.join() ? [] : [{ ...change, from, to }];
      });
      const shown = new Set(fields.map((f) => f.field));
      const licence = fieldChanges(subscriptionDiff, entity.licence).filter(
        (f) => (licenceFields.has(f.field) || f.field === "callPlan") && !shown.has(f.field),
      );
      fields.push(...licence);
    }
    changes.push({ key, op, label: userLabel(user, entity.main), fields });
  }
  return changes.sort((a, b) => a.key.localeCompare(b.key));
}

function deviceChanges(steps: readonly EstateStep[], context: PlanContext, keys: Map<string, string>): DeviceChange[] {
  const declared = new Map<string, { name: string; user: string; rotation?: string }>();
  for (const user of context.estate?.users ?? []) {
    for (const d of user.devices)
      declared.set(d.key, { name: d.name, user: user.key, ...(d.rotation ? { rotation: d.rotation } : {}) });
  }
  const ownerBefore = new Map<string, string>();
  for (const step of steps) {
    if (step.kind === "user") for (const device of linkedDevices(step.old, keys)) ownerBefore.set(device, step.key);
  }

  const changes: DeviceChange[] = [];
  for (const [key, entity] of group(steps, "device")) {
    const device = declared.get(key);
    const before = ownerBefore.get(key) ?? null;
    const after = device?.user ?? null;
    let op = entityOp(entity);
    const moved = op !== "create" && op !== "delete" && entity.main?.old !== undefined && before !== after;
    if (!op && moved) op = "update";
    if (!op) continue;

    let fields: FieldChange[] = [];
    if (op === "create" && device) {
      fields = [
        { field: "name", to: device.name },
        { field: "user", to: device.user },
        ...(device.rotation ? [{ field: "rotation", to: device.rotation }] : []),
      ];
    } else if (op !== "delete") {
      fields = [
        ...fieldChanges(deviceDiff, entity.main),
        ...(moved ? [{ field: "user", from: before, to: after }] : []),
        ...fieldChanges(subscriptionDiff, entity.licence).filter((f) => licenceFields.has(f.field)),
      ];
    }
    const source = entity.main?.new?.inputs ?? entity.main?.old?.outputs ?? {};
    const label = device?.name ?? (typeof source.name === "string" ? source.name : key);
    changes.push({ key, user: op === "delete" ? before : after, op, label, fields });
  }
  return changes.sort((a, b) => a.key.localeCompare(b.key));
}

function count(changes: readonly { op: EntityOp }[]): ChangeCounts {
  const counts: ChangeCounts = { create: 0, update: 0, replace: 0, delete: 0 };
  for (const change of changes) counts[change.op]++;
  return counts;
}

export function buildPlan(steps: readonly EstateStep[], context: PlanContext): EstatePlan {
  const keys = keysById(steps);
  const users = userChanges(steps, context, keys);
  const devices = deviceChanges(steps, context, keys);
  const licences = licenceChanges(steps, {
    catalogue: context.catalogue,
    timeZone: context.account.timeZone,
    now: context.now,
    ...(context.madeByStack ? { madeByStack: context.madeByStack } : {}),
    ...(context.claims ? { claims: context.claims } : {}),
  });
  const { cost, ...lists } = licences;
  return {
    estate: context.estate?.name ?? context.stack,
    stack: context.stack,
    account: { id: context.account.accountId, name: context.account.name, timeZone: context.account.timeZone },
    users,
    devices,
    licences: lists,
    cost,
    counts: { users: count(users), devices: count(devices) },
    hasChanges: steps.some((s) => s.op !== "same") || devices.length > 0,
  };
}
