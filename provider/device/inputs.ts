/** What a SipDevice declares, validated with the shared schemas. */
import { z } from "zod";
import { Id } from "../../schemas/common.ts";
import { DeviceName, DeviceRotation } from "../../schemas/device.ts";
import type { DiffSpec } from "../hooks/diff.ts";

export const DeviceInputs = z
  .object({
    name: DeviceName,
    licenceId: Id,
    rotation: DeviceRotation.optional(),
    adopt: Id.optional(),
  })
  .strict();
export type DeviceInputs = z.infer<typeof DeviceInputs>;

/**
 * `passwordChange` is recorded (by `read`) only on a device whose password was rotated outside pbx-estate
 * since pbx-estate last set or read it: the estate owns the credential, so `up` rotates it again and records
 * the new one (the update's outputs drop the mark). The password itself is never compared, only the
 * backend's fingerprint of it.
 */
export const PASSWORD_ROTATED_OUTSIDE = "rotated outside pbx-estate";

export const deviceDiff: DiffSpec = {
  fields: ["name", "licenceId", "rotation"],
  liveMustBe: { passwordChange: "set by pbx-estate" },
};
