/**
 * An account built by hand → an estate document and the adoption map that binds each key to the objects
 * that already exist. Values most users share become the estate's defaults, so the file stays short.
 */
import type { CallPlanId } from "../../schemas/catalogue.ts";
import type { Device } from "../../schemas/device.ts";
import type { EstateDefaults, EstateDocument, EstateUser } from "../../schemas/estate.ts";
import { ESTATE_API_VERSION } from "../../schemas/estate.ts";
import type { Subscription } from "../../schemas/subscription.ts";
import type { User } from "../../schemas/user.ts";
import type { EstateAdoption } from "../../sdk/estate.ts";
import { KeyAllocator } from "./keys.ts";

/** Which existing objects each key adopts (ids never go into the estate files: they are not code). */
export type AdoptionMap = EstateAdoption;

export interface LiveAccount {
  users: User[];
  devices: Device[];
  subscriptions: Subscription[];
  termsVersion: string;
}

export interface ExportedEstate {
  document: EstateDocument;
  adoption: AdoptionMap;
  /** Objects the estate format cannot hold, each with the reason. */
  skipped: string[];
}

function mostCommon<T>(values: readonly T[]): T | undefined {
  const counts = new Map<string, { value: T; n: number }>();
  for (const v of values) {
    const k = JSON.stringify(v);
    counts.set(k, { value: v, n: (counts.get(k)?.n ?? 0) + 1 });
  }
  const best = [...counts.values()].sort((a, b) => b.n - a.n)[0];
  return best && best.n * 2 > values.length ? best.value : undefined;
}

export function estateFromAccount(name: string, account: LiveAccount): ExportedEstate {
  const licences = new Map(account.subscriptions.map((s) => [s.id, s]));
  const devicesById = new Map(account.devices.map((d) => [d.id, d]));
  const skipped: string[] = [];
  const users = [...account.users].sort((a, b) => a.extension.localeCompare(b.extension));
  const callPlanOf = (u: User): CallPlanId | undefined =>
    u.callPlan ?? licences.get(u.licenceId)?.callPlan ?? undefined;

  const defaults: EstateDefaults = {};
  const plan = mostCommon(users.map(callPlanOf).filter((p) => p !== undefined));
  if (plan) defaults.callPlan = plan;
  const prefix = mostCommon(users.map((u) => u.areaPrefix));
  if (prefix) defaults.areaPrefix = prefix;
  const callerId = mostCommon(users.map((u) => u.outboundCallerId));
  if (callerId) defaults.outboundCallerId = callerId;

  const userKeys = new KeyAllocator();
  const deviceKeys = new KeyAllocator();
  const adoption: AdoptionMap = { users: {}, devices: {} };
  const linked = new Set<string>();
  const estateUsers: EstateUser[] = users.map((u) => {
    const key = userKeys.key(u.name);
    adoption.users[key] = { user: u.id, licence: u.licenceId };
    const callPlan = callPlanOf(u);
    const devices = u.deviceIds.flatMap((id) => {
      const d = devicesById.get(id);
      if (!d) return [];
      linked.add(id);
      const deviceKey = deviceKeys.key(d.name);
      adoption.devices[deviceKey] = { device: d.id, licence: d.licenceId };
      return [{ key: deviceKey, name: d.name }];
    });
    return {
      key,
      name: u.name,
      extension: u.extension,
      ...(callPlan !== undefined && callPlan !== defaults.callPlan ? { callPlan } : {}),
      ...(u.areaPrefix !== defaults.areaPrefix ? { areaPrefix: u.areaPrefix } : {}),
      ...(u.outboundCallerId !== defaults.outboundCallerId ? { outboundCallerId: u.outboundCallerId } : {}),
      ...(u.recording.enabled ? { recording: u.recording } : {}),
      ...(devices.length > 0 ? { devices } : {}),
    };
  });
  for (const d of account.devices) {
    if (!linked.has(d.id))
      skipped.push(`device ${d.id} "${d.name}" is linked to no user; an estate declares devices under their users`);
  }

  return {
    document: {
      apiVersion: ESTATE_API_VERSION,
      kind: "Estate",
      metadata: { name },
      spec: {
        acceptTerms: account.termsVersion,
        ...(Object.keys(defaults).length > 0 ? { defaults } : {}),
        users: estateUsers,
      },
    },
    adoption,
    skipped,
  };
}
