/** What a SipDevice declares, validated with the shared schemas. */
import { z } from "zod";
import { Id } from "../../schemas/common.ts";
import { DeviceName } from "../../schemas/device.ts";
import { checkText } from "../../schemas/text.ts";
import type { DiffSpec } from "../hooks/diff.ts";

export const DeviceInputs = z
  .object({
    name: DeviceName,
    licenceId: Id,
    // Any one-line text up to 200 characters; the empty string is a value like any other.
    rotation: z.string().max(200).superRefine(checkText("line")).optional(),
    adopt: Id.optional(),
  })
  .strict();
export type DeviceInputs = z.infer<typeof DeviceInputs>;

export const deviceDiff: DiffSpec = { fields: ["name", "licenceId", "rotation"] };
