// SIP devices: a registrar login bound to a SIP-device licence.
import { z } from "zod";
import { ClientReference, Id, Instant, Version } from "./common.ts";
import { checkText, nameText } from "./text.ts";

export const DeviceName = nameText(100);

/** How long a device's `rotation` may be. */
export const ROTATION_MAX_LENGTH = 200;

/**
 * A SipDevice's `rotation`: free text, any one line (the empty string is a value like any other); a new
 * value rotates the device's SIP password. An estate file's is stricter (`Rotation` in ./estate.ts).
 */
export const DeviceRotation = z.string().max(ROTATION_MAX_LENGTH).superRefine(checkText("line"));

export const DeviceCreate = z
  .object({ name: DeviceName, licenceId: Id, clientReference: ClientReference.optional() })
  .strict()
  .meta({ id: "DeviceCreate" });
export type DeviceCreate = z.infer<typeof DeviceCreate>;

export const DeviceUpdate = z
  .object({ name: DeviceName.optional(), licenceId: Id.optional() })
  .strict()
  .meta({ id: "DeviceUpdate" });
export type DeviceUpdate = z.infer<typeof DeviceUpdate>;

export const Registrar = z.object({
  host: z.string(),
  port: z.number().int(),
  transport: z.enum(["udp", "tcp", "tls"]),
});
export type Registrar = z.infer<typeof Registrar>;

export const Device = z
  .object({
    id: Id,
    version: Version,
    clientReference: z.string().nullable(),
    name: z.string(),
    licenceId: Id,
    userId: Id.nullable().describe("the user this device is linked to"),
    sipUsername: z.string(),
    passwordFingerprint: z
      .string()
      .describe("sha256:<first 16 hex> of the password; the password itself is never shown again"),
    registrar: Registrar,
    live: z.boolean().describe("false while the device exists only in a change set"),
    pending: z.boolean(),
    pendingChangeSets: z.array(Id),
    createdAt: Instant.nullable(),
    updatedAt: Instant.nullable(),
  })
  .meta({ id: "Device" });
export type Device = z.infer<typeof Device>;

export const DeviceWithPassword = Device.extend({
  sipPassword: z.string().describe("shown only in the create and rotate responses"),
}).meta({ id: "DeviceWithPassword" });
export type DeviceWithPassword = z.infer<typeof DeviceWithPassword>;
