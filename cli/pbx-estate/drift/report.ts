/**
 * Drift: what differs between the objects as the last apply left them (recorded in state, as the code
 * declared them then) and the same objects live now, read by a refresh preview. Code changes not applied
 * yet are not drift; they travel beside it as a plan.
 */
import { changedFields, type DiffSpec } from "../../../provider/hooks/diff.ts";
import type { EstatePlan, LicenceHolder, PlanValue } from "../plan/model.ts";
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
  /** Changes in the estate files not applied yet: reported, but not drift. */
  pendingCodeChanges: EstatePlan;
}

/** The live properties compared, per kind; the password by its fingerprint. */
const specs: Record<EstateResourceKind, DiffSpec> = {
  user: {
    fields: ["name", "extension", "licenceId", "callPlan", "areaPrefix", "outboundCallerId", "recording", "deviceIds"],
    unordered: ["deviceIds"],
  },
  device: { fields: ["name", "licenceId", "passwordFingerprint"] },
  "user-licence": { fields: ["product", "callPlan", "status"] },
  "device-licence": { fields: ["product", "status"] },
};

const fieldNames: Record<string, string> = { deviceIds: "devices", licenceId: "licence", passwordFingerprint: "password" };

function labelOf(step: EstateStep): string {
  const o = step.old?.outputs ?? {};
  if (step.kind === "user") return `${String(o.extension)} ${String(o.name)}`;
  if (step.kind === "device") return String(o.name);
  return `${step.kind === "user-licence" ? "user licence" : "SIP-device licence"} of ${step.kind === "user-licence" ? "user" : "device"} ${step.key}`;
}

function shown(field: string, value: unknown, keys: Map<string, string>, side: "declared" | "live"): PlanValue {
  if (field === "deviceIds" && Array.isArray(value)) return value.map((id) => keys.get(String(id)) ?? String(id)).sort();
  if (field === "passwordFingerprint") return side === "declared" ? "as last set by pbx-estate" : "rotated outside pbx-estate";
  return planValue(value);
}

/** Drift among the steps of a refresh preview: each object changed or gone since the last apply. */
export function driftOf(steps: readonly EstateStep[]): DriftEntry[] {
  const keys = new Map<string, string>();
  for (const step of steps) if (step.old?.id) keys.set(step.old.id, step.key);
  const entries: DriftEntry[] = [];
  for (const step of steps) {
    if (!step.old) continue;
    const kind: DriftEntry["kind"] = step.kind === "user" || step.kind === "device" ? step.kind : "licence";
    const holder: LicenceHolder = { kind: step.kind === "user-licence" ? "user" : "device", key: step.key };
    const base = { resource: step.name, kind, key: step.key, ...(kind === "licence" ? { holder } : {}), label: labelOf(step) };
    if (!step.new || step.op === "delete") {
      entries.push({ ...base, state: "gone", fields: [] });
      continue;
    }
    const before = step.old.outputs;
    const live = step.new.outputs;
    const fields = changedFields(specs[step.kind], before, live).map((field) => ({
      field: fieldNames[field] ?? field,
      declared: shown(field, before[field], keys, "declared"),
      live: shown(field, live[field], keys, "live"),
    }));
    if (fields.length > 0) entries.push({ ...base, state: "changed", fields });
  }
  return entries.sort((a, b) => (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0));
}
