/**
 * Drift: what differs between the objects as the last apply left them (recorded in state, as the code
 * declared them then) and the same objects live now, read by a refresh preview. Code changes not applied
 * yet are not drift; they travel beside it as a plan.
 */
import {
  changedFields,
  deviceDiff,
  subscriptionDiff,
  userDiff,
  userRecordedDefaults,
  type DiffSpec,
} from "../../../provider/contract.ts";
import type { EntityOp, EstatePlan, FieldChange, LicenceHolder, PlanValue } from "../plan/model.ts";
import type { EstateResourceKind, EstateStep } from "../plan/steps.ts";
import { planValue } from "../plan/values.ts";

export interface DriftField {
  field: string;
  /** As the last apply set it (what the code declared then). */
  declared: PlanValue;
  live: PlanValue;
}

export interface DriftEntry {
  /** The logical name, e.g. `user/john`. */
  resource: string;
  kind: "user" | "device" | "licence";
  key: string;
  /** For a licence, who holds it. */
  holder?: LicenceHolder;
  label: string;
  state: "changed" | "gone";
  fields: DriftField[];
}

export interface DriftReport {
  estate: string;
  stack: string;
  account: { id: string; name: string; timeZone: string };
  inSync: boolean;
  drift: DriftEntry[];
  /** What `pbx-estate apply` with the same files does about the drift, one line each (see advice.ts); empty when in sync. */
  advice: string[];
  /** Changes in the estate files not applied yet: reported, but not drift. */
  pendingCodeChanges: EstatePlan;
}

/**
 * The declared properties compared with their live values, per kind. The declared value is the input the
 * last apply recorded, so a live value a failed apply's refresh already wrote into state is still drift.
 * Live-only fields that must hold one value (a licence is active; a device's password was not rotated
 * elsewhere) are the provider's own (`liveMustBe`), so drift flags exactly what `apply` puts right.
 */
const specs: Record<EstateResourceKind, DiffSpec> = {
  // Every field the provider compares; the call plan too, which drift reports even when the program leaves it out.
  user: { fields: userDiff.fields, unordered: userDiff.unordered, defaults: userRecordedDefaults },
  // A rotation has no live value to drift from.
  device: { fields: deviceDiff.fields.filter((field) => field !== "rotation"), liveMustBe: deviceDiff.liveMustBe },
  "user-licence": { fields: ["product", "callPlan"], liveMustBe: subscriptionDiff.liveMustBe },
  "device-licence": { fields: ["product"], liveMustBe: subscriptionDiff.liveMustBe },
};

const fieldNames: Record<string, string> = { deviceIds: "devices", licenceId: "licence", passwordChange: "password" };

function labelOf(step: EstateStep): string {
  const o = step.old?.outputs ?? {};
  if (step.kind === "user") return `${String(o.extension)} ${String(o.name)}`;
  if (step.kind === "device") return String(o.name);
  return `${step.kind === "user-licence" ? "user licence" : "SIP-device licence"} of ${step.kind === "user-licence" ? "user" : "device"} ${step.key}`;
}

function shown(field: string, value: unknown, keys: Map<string, string>): PlanValue {
  if (field === "deviceIds" && Array.isArray(value))
    return value.map((id) => keys.get(String(id)) ?? String(id)).sort();
  return planValue(value);
}

/** Drift among the steps of a refresh preview: each object whose live state differs from the last apply's declaration, or gone. */
export function driftOf(steps: readonly EstateStep[]): DriftEntry[] {
  const keys = new Map<string, string>();
  for (const step of steps) if (step.old?.id) keys.set(step.old.id, step.key);
  const entries: DriftEntry[] = [];
  for (const step of steps) {
    if (!step.old) continue;
    const kind: DriftEntry["kind"] = step.kind === "user" || step.kind === "device" ? step.kind : "licence";
    const holder: LicenceHolder = { kind: step.kind === "user-licence" ? "user" : "device", key: step.key };
    const base = {
      resource: step.name,
      kind,
      key: step.key,
      ...(kind === "licence" ? { holder } : {}),
      label: labelOf(step),
    };
    if (!step.new || step.op === "delete") {
      entries.push({ ...base, state: "gone", fields: [] });
      continue;
    }
    const spec = specs[step.kind];
    const declared = step.old.inputs;
    const live = step.new.outputs;
    const fields: DriftField[] = changedFields({ ...spec, liveMustBe: {} }, declared, live).map((field) => ({
      field: fieldNames[field] ?? field,
      declared: shown(field, declared[field] ?? spec.defaults?.[field], keys),
      live: shown(field, live[field] ?? spec.defaults?.[field], keys),
    }));
    // Read live, never declared: a value recorded only when it is not the one it must be.
    for (const [field, wanted] of Object.entries(spec.liveMustBe ?? {})) {
      if (live[field] !== undefined && live[field] !== wanted)
        fields.push({ field: fieldNames[field] ?? field, declared: planValue(wanted), live: planValue(live[field]) });
    }
    if (fields.length > 0) entries.push({ ...base, state: "changed", fields });
  }
  return entries.sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0));
}

/**
 * The code changes of a plan made without a refresh, leaving out fields whose recorded value already
 * differs from what was declared (a refresh wrote the live value into state): those are drift, not code.
 */
export function codeChangesOnly(plan: EstatePlan): EstatePlan {
  const keep = <T extends { op: string; fields: FieldChange[] }>(changes: T[]): T[] =>
    changes
      .map((c) => ({ ...c, fields: c.fields.filter((f) => !f.outOfBand) }))
      .filter((c) => c.op !== "update" || c.fields.length > 0);
  const users = keep(plan.users);
  const devices = keep(plan.devices);
  const count = (changes: { op: EntityOp }[]) => {
    const counts = { create: 0, update: 0, replace: 0, delete: 0 };
    for (const c of changes) counts[c.op]++;
    return counts;
  };
  // A reinstatement is always drift (a licence scheduled for cancellation outside pbx-estate), never code.
  const { orders, cancellations, callPlanChanges } = plan.licences;
  return {
    ...plan,
    users,
    devices,
    licences: { ...plan.licences, reinstatements: [] },
    counts: { users: count(users), devices: count(devices) },
    hasChanges: users.length + devices.length + orders.length + cancellations.length + callPlanChanges.length > 0,
  };
}
