// PBX users: extension, call plan (the held licence's), caller ID, recording, linked devices.
import { z } from "zod";
import { CallPlanId } from "./catalogue.ts";
import { ClientReference, E164, Id, Instant, Version } from "./common.ts";
import { ruleParams } from "./problem.ts";
import { lineText, nameText } from "./text.ts";

/** Numbers that always reach the emergency services, whatever the caller's call plan: never an extension. */
export const EMERGENCY_NUMBERS: readonly string[] = ["999", "112"];

/** An extension's digits; the registrar's dial plan reads a dialled number of this shape as an extension. */
export const EXTENSION_PATTERN = /^[0-9]{2,5}$/;

export const Extension = z
  .string()
  .regex(EXTENSION_PATTERN, "must be 2 to 5 digits")
  .refine((e) => !EMERGENCY_NUMBERS.includes(e), {
    message: `${EMERGENCY_NUMBERS.join(" and ")} are emergency numbers`,
    params: ruleParams("not-emergency"),
  });
/** A dialling area: an optional trunk 0, then the area code, which does not start with 0 (020, 0161, 20). */
export const AreaPrefix = z
  .string()
  .regex(
    /^0?[1-9][0-9]{0,5}$/,
    "must be a dialling area of 1 to 7 digits, such as 020: an optional 0, then digits that do not start with 0",
  );

/** The most devices one user may have linked, wherever a whole list is given and on every link. */
export const MAX_DEVICES_PER_USER = 20;

export const Recording = z
  .object({
    enabled: z.boolean(),
    email: z.email().optional(),
    subject: lineText(200).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.enabled && r.email === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["email"],
        message: "required when recording is enabled",
        params: ruleParams("required"),
      });
    if (r.enabled && r.subject === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["subject"],
        message: "required when recording is enabled",
        params: ruleParams("required"),
      });
  });
export type Recording = z.infer<typeof Recording>;

const userFields = {
  name: nameText(100),
  extension: Extension,
  licenceId: Id,
  callPlan: CallPlanId.optional().describe("if given, must equal the licence's call plan"),
  areaPrefix: AreaPrefix,
  outboundCallerId: E164.describe("one of the account's numbers"),
  recording: Recording.default({ enabled: false }),
};

export const UserCreate = z
  .object({
    ...userFields,
    clientReference: ClientReference.optional(),
    deviceIds: z
      .array(Id)
      .max(MAX_DEVICES_PER_USER)
      .refine((ids) => new Set(ids).size === ids.length, {
        message: "lists a device twice",
        params: ruleParams("unique"),
      })
      .optional()
      .describe("devices to link to the new user, as POST /v1/users/{id}/devices would"),
  })
  .strict()
  .meta({ id: "UserCreate" });
export type UserCreate = z.infer<typeof UserCreate>;

export const UserUpdate = z
  .object({
    name: userFields.name.optional(),
    extension: Extension.optional(),
    licenceId: Id.optional(),
    callPlan: CallPlanId.optional(),
    areaPrefix: AreaPrefix.optional(),
    outboundCallerId: E164.optional(),
    recording: Recording.optional(),
  })
  .strict()
  .meta({ id: "UserUpdate" });
export type UserUpdate = z.infer<typeof UserUpdate>;

export const DeviceLink = z.object({ deviceId: Id }).strict().meta({ id: "DeviceLink" });

export const User = z
  .object({
    id: Id,
    version: Version,
    clientReference: z.string().nullable(),
    name: z.string(),
    extension: Extension,
    licenceId: Id,
    callPlan: CallPlanId.nullable(),
    areaPrefix: z.string(),
    outboundCallerId: E164,
    recording: z.object({ enabled: z.boolean(), email: z.string().optional(), subject: z.string().optional() }),
    deviceIds: z.array(Id),
    live: z.boolean(),
    pending: z.boolean(),
    pendingChangeSets: z.array(Id),
    createdAt: Instant.nullable(),
    updatedAt: Instant.nullable(),
  })
  .meta({ id: "User" });
export type User = z.infer<typeof User>;
