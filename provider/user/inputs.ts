/** What a PbxUser declares, validated with the shared schemas. */
import { z } from "zod";
import { CallPlanId } from "../../schemas/catalogue.ts";
import { E164, Id } from "../../schemas/common.ts";
import { ruleParams } from "../../schemas/problem.ts";
import { AreaPrefix, Extension, MAX_DEVICES_PER_USER, Recording, UserCreate } from "../../schemas/user.ts";
import type { DiffSpec } from "../hooks/diff.ts";
import { isUnknown } from "../hooks/unknowns.ts";

export const UserInputs = z
  .object({
    name: UserCreate.shape.name,
    extension: Extension,
    licenceId: Id,
    callPlan: CallPlanId.optional(),
    areaPrefix: AreaPrefix,
    outboundCallerId: E164,
    recording: Recording.default({ enabled: false }),
    deviceIds: z
      .array(Id)
      .max(MAX_DEVICES_PER_USER)
      .default([])
      // Ids unknown in a preview (devices not made yet) all read the same; only known ids can repeat.
      .refine((ids) => {
        const known = ids.filter((id) => !isUnknown(id));
        return new Set(known).size === known.length;
      }, { message: "lists a device twice", params: ruleParams("unique") }),
    adopt: Id.optional(),
  })
  .strict();
export type UserInputs = z.infer<typeof UserInputs>;

/**
 * What an omitted field means; recorded inputs and outputs leave these values out (see hooks/defaults.ts).
 * The device list is not among them: the SDK exposes `deviceIds`, empty or not.
 */
export const userRecordedDefaults = { recording: { enabled: false } };

export const userDiff: DiffSpec = {
  fields: ["name", "extension", "licenceId", "callPlan", "areaPrefix", "outboundCallerId", "recording", "deviceIds"],
  unordered: ["deviceIds"],
  followLiveWhenOmitted: ["callPlan"],
  defaults: { ...userRecordedDefaults, deviceIds: [] },
};
