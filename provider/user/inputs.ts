/**
 * What a PbxUser declares: a user as the API creates one (schemas/user.ts), so a new user field reaches the
 * provider with its rule, with the devices given by id (possibly unknown in a preview) and `adopt`.
 */
import { z } from "zod";
import { Id } from "../../schemas/common.ts";
import { ruleParams } from "../../schemas/problem.ts";
import { MAX_DEVICES_PER_USER, UserCreate } from "../../schemas/user.ts";
import type { PbxUserArgs } from "../../sdk/pbx-user.ts";
import type { DiffSpec } from "../hook-helpers/diff.ts";
import { isUnknown } from "../hook-helpers/unknowns.ts";
import type { SameFields } from "../../schemas/same-fields.ts";

export const UserInputs = UserCreate.omit({ clientReference: true, deviceIds: true })
  .extend({
    deviceIds: z
      .array(Id)
      .max(MAX_DEVICES_PER_USER)
      .default([])
      // Ids unknown in a preview (devices not made yet) all read the same; only known ids can repeat.
      .refine(
        (ids) => {
          const known = ids.filter((id) => !isUnknown(id));
          return new Set(known).size === known.length;
        },
        { message: "lists a device twice", params: ruleParams("unique") },
      ),
    adopt: Id.optional(),
  })
  .strict();
export type UserInputs = z.infer<typeof UserInputs>;

/** The SDK's arguments are these inputs: a field added to one and not the other does not compile. */
export const userArgsAreInputs: SameFields<PbxUserArgs, UserInputs> = true;

/**
 * What an omitted field means; recorded inputs and outputs leave these values out (see hook-helpers/defaults.ts).
 * The device list is not among them: the SDK exposes `deviceIds`, empty or not.
 */
export const userRecordedDefaults = { recording: { enabled: false } };

export const userDiff: DiffSpec = {
  fields: Object.keys(UserInputs.shape).filter((field) => field !== "adopt"),
  unordered: ["deviceIds"],
  followLiveWhenOmitted: ["callPlan"],
  defaults: { ...userRecordedDefaults, deviceIds: [] },
};
