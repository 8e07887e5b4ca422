// A device in the configuration as the API's device document.
import type { Device } from "../../schemas/device.ts";
import { usersOfDevice, type Config, type DeviceState } from "../configuration/model.ts";

/** The registrar address every device document names. */
export interface Registrar {
  host: string;
  port: number;
  transport: "udp" | "tcp" | "tls";
}

/**
 * `owners`: the users of every linked device (configuration/model.ts `deviceUsers`), for a listing: walking
 * the links for each device instead made a listing quadratic (1,500 devices of 1,000 users took 140 ms).
 */
export function deviceView(
  c: Config,
  d: DeviceState,
  pending: Map<string, string[]>,
  registrar: Registrar,
  owners?: Map<string, string[]>,
): Device {
  const pcs = pending.get(d.id) ?? [];
  return {
    id: d.id,
    version: d.liveVersion ?? 0,
    clientReference: d.clientReference,
    name: d.name,
    licenceId: d.licenceId,
    userId: (owners ? owners.get(d.id) : usersOfDevice(c, d.id))?.[0] ?? null,
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
