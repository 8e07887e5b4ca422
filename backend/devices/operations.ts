// Device operations as a change set records them, and how each changes the configuration.
import { conflict, notFound } from "../errors.ts";
import {
  checkVersion,
  deleteDevice,
  putDevice,
  type Config,
  type Context,
  type DeviceState,
} from "../configuration/model.ts";
import { checkLicence } from "../subscriptions/holding.ts";
import { checkNotLinked } from "./validator.ts";

export type DeviceOp =
  | {
      op: "device.create";
      id: string;
      clientReference: string | null;
      name: string;
      licenceId: string;
      sipUsername: string;
      ha1: string;
      passwordFingerprint: string;
    }
  | { op: "device.update"; id: string; ifVersion?: number; name?: string; licenceId?: string }
  | { op: "device.rotate"; id: string; ifVersion?: number; ha1: string; passwordFingerprint: string }
  | { op: "device.delete"; id: string; ifVersion?: number };

const LICENCE = "sip-device-licence";

function device(c: Config, id: string): DeviceState {
  const d = c.devices.get(id);
  if (!d) throw notFound("device", id);
  return d;
}

/** Applies one device operation to `c` in place, checking the rules that hold at every step. */
export function applyDeviceOp(c: Config, ctx: Context, op: DeviceOp): void {
  switch (op.op) {
    case "device.create": {
      if (c.devices.has(op.id)) throw conflict("already-exists", `device ${op.id} already exists`);
      checkLicence(c, ctx, op.licenceId, LICENCE, op.id);
      putDevice(c, {
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
      if (op.licenceId !== undefined && op.licenceId !== d.licenceId) checkLicence(c, ctx, op.licenceId, LICENCE, d.id);
      putDevice(c, {
        ...d,
        ...(op.name !== undefined ? { name: op.name } : {}),
        ...(op.licenceId !== undefined ? { licenceId: op.licenceId } : {}),
      });
      return;
    }
    case "device.rotate": {
      const d = device(c, op.id);
      checkVersion("device", d, op.ifVersion);
      putDevice(c, { ...d, ha1: op.ha1, passwordFingerprint: op.passwordFingerprint });
      return;
    }
    case "device.delete": {
      const d = device(c, op.id);
      checkVersion("device", d, op.ifVersion);
      checkNotLinked(c, d);
      deleteDevice(c, d.id);
      return;
    }
  }
}
