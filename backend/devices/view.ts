// A device in the configuration as the API's device document.
import type { Device } from "../../schemas/device.ts";
import { usersOfDevice, type Config, type DeviceState } from "../configuration/model.ts";

/** The registrar address every device document names. */
export interface Registrar {
  host: string;
  port: number;
  transport: "udp" | "tcp" | "tls";
}

/** The device's user is looked up in the configuration's index (config-index.ts), not found by a walk. */
export function deviceView(c: Config, d: DeviceState, pending: Map<string, string[]>, registrar: Registrar): Device {
  const pcs = pending.get(d.id) ?? [];
  return {
    id: d.id,
    version: d.liveVersion ?? 0,
    clientReference: d.clientReference,
    name: d.name,
    licenceId: d.licenceId,
    userId: usersOfDevice(c, d.id)[0] ?? null,
    sipUsername: d.sipUsername,
    passwordFingerprint: d.passwordFingerprint,
    registrar,
    live: d.liveVersion !== null,
    pending: pcs.length > 0,
    pendingChangeSets: pcs,
    createdAt: d.createdAt?.toISOString() ?? null,
    updatedAt: d.updatedAt?.toISOString() ?? null,
  };
}
