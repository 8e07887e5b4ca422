/** What a SipDevice declares, validated with the shared schemas. */
import { z } from "zod";
import { Id } from "../../schemas/common.ts";
import { DeviceName } from "../../schemas/device.ts";
import type { DiffSpec } from "../hooks/diff.ts";

export const DeviceInputs = z
  .object({
    name: DeviceName,
    licenceId: Id,
    rotation: z.string().max(200).optional(),
    adopt: Id.optional(),
  })
  .strict();
export type DeviceInputs = z.infer<typeof DeviceInputs>;

export const deviceDiff: DiffSpec = { fields: ["name", "licenceId", "rotation"] };
