/** What a SipDevice declares: a device as the API creates one (schemas/device.ts), with `rotation` and `adopt`. */
import type { z } from "zod";
import { Id } from "../../schemas/common.ts";
import { DeviceCreate, DeviceRotation } from "../../schemas/device.ts";
import type { SipDeviceArgs } from "../../sdk/sip-device.ts";
import type { DiffSpec } from "../hook-helpers/diff.ts";
import type { SameFields } from "../../schemas/same-fields.ts";

export const DeviceInputs = DeviceCreate.omit({ clientReference: true })
  .extend({
    rotation: DeviceRotation.optional(),
    adopt: Id.optional(),
  })
  .strict();
export type DeviceInputs = z.infer<typeof DeviceInputs>;

/** The SDK's arguments are these inputs: a field added to one and not the other does not compile. */
export const deviceArgsAreInputs: SameFields<SipDeviceArgs, DeviceInputs> = true;

/**
 * `passwordChange` is recorded (by `read`) only on a device whose password was rotated outside pbx-estate
 * since pbx-estate last set or read it: the estate owns the credential, so `up` rotates it again and records
 * the new one (the update's outputs drop the mark). The password itself is never compared, only the
 * backend's fingerprint of it.
 */
export const PASSWORD_ROTATED_OUTSIDE = "rotated outside pbx-estate";

export const deviceDiff: DiffSpec = {
  fields: Object.keys(DeviceInputs.shape).filter((field) => field !== "adopt"),
  liveMustBe: { passwordChange: "set by pbx-estate" },
};
