// A plan checked without writing (POST /v1/plan-checks): the operations an apply will make, replayed on a
// copy of the live configuration with the apply's own rules, and every refusal they would meet.
import { z } from "zod";
import { CallPlanId, ProductId } from "./catalogue.ts";
import { ClientReference, Id } from "./common.ts";
import { Holder } from "./problem.ts";
import { DeviceCreate, DeviceUpdate } from "./device.ts";
import { UserCreate, UserUpdate } from "./user.ts";

/** At most this many operations in one check: a 10,000-user estate with two devices each, linked. */
export const MAX_PLANNED_OPERATIONS = 60_000;

const Ref = z
  .string()
  .min(1)
  .max(300)
  .describe("the client's name for the resource the operation is for, e.g. user/john: its refusals carry it");

const PlannedId = z
  .string()
  .min(1)
  .max(300)
  .describe("a live object's id, or one the request makes up for an object the apply will create (e.g. new:user/john)");

const userFields = UserCreate.pick({
  name: true,
  extension: true,
  callPlan: true,
  areaPrefix: true,
  outboundCallerId: true,
  recording: true,
});

const UserCreateOp = userFields
  .extend({
    ref: Ref,
    op: z.literal("user.create"),
    id: PlannedId,
    licenceId: PlannedId,
    clientReference: ClientReference.optional(),
  })
  .strict();

const UserUpdateOp = z
  .object({
    ref: Ref,
    op: z.literal("user.update"),
    id: PlannedId,
    callPlan: CallPlanId.optional(),
    patch: UserUpdate.omit({ callPlan: true, licenceId: true }).extend({ licenceId: PlannedId.optional() }).strict(),
  })
  .strict();

const UserLinkOp = z
  .object({ ref: Ref, op: z.enum(["user.link", "user.unlink"]), id: PlannedId, deviceId: PlannedId })
  .strict();

const DeviceCreateOp = DeviceCreate.pick({ name: true, clientReference: true })
  .extend({ ref: Ref, op: z.literal("device.create"), id: PlannedId, licenceId: PlannedId })
  .strict();

const DeviceUpdateOp = DeviceUpdate.pick({ name: true })
  .extend({ ref: Ref, op: z.literal("device.update"), id: PlannedId, licenceId: PlannedId.optional() })
  .strict();

const DeleteOp = z
  .object({
    ref: Ref,
    op: z.enum(["user.delete", "device.delete"]),
    id: PlannedId,
    replaced: z
      .boolean()
      .default(false)
      .describe("removed to be replaced: runs before the creates and updates (delete-before-replace)"),
  })
  .strict();

export const PlannedOperation = z.union([
  UserCreateOp,
  UserUpdateOp,
  UserLinkOp,
  DeviceCreateOp,
  DeviceUpdateOp,
  DeleteOp,
]);
export type PlannedOperation = z.infer<typeof PlannedOperation>;

export const PlannedLicence = z
  .object({
    id: PlannedId,
    product: ProductId,
    callPlan: CallPlanId.nullable().default(null),
  })
  .strict()
  .describe("a licence the apply will order: checked as an active, free licence of this product and call plan");
export type PlannedLicence = z.infer<typeof PlannedLicence>;

export const PlanCheckRequest = z
  .object({
    licences: z.array(PlannedLicence).max(MAX_PLANNED_OPERATIONS).default([]),
    reinstated: z
      .array(Id)
      .max(MAX_PLANNED_OPERATIONS)
      .default([])
      .describe(
        "live licences scheduled for cancellation that the apply reinstates before the operations that need them: checked as active",
      ),
    operations: z
      .array(PlannedOperation)
      .max(MAX_PLANNED_OPERATIONS)
      .describe(
        "in the order the apply makes them; deletions are replayed last (those marked `replaced` first), as the engine runs them",
      ),
  })
  .strict()
  .meta({ id: "PlanCheckRequest" });
export type PlanCheckRequest = z.input<typeof PlanCheckRequest>;

export const PlanRefusal = z
  .object({
    ref: Ref,
    op: z.string().describe("the refused operation, e.g. user.create"),
    code: z.string().describe("the problem code the apply would answer, e.g. extension-taken"),
    field: z.string().nullable().describe("the operation's field the rule is about, e.g. extension"),
    message: z.string(),
    holders: z.array(Holder).describe("live objects outside the plan holding what the operation needs"),
  })
  .meta({ id: "PlanRefusal" });
export type PlanRefusal = z.infer<typeof PlanRefusal>;

export const PlanCheckResult = z
  .object({
    refusals: z
      .array(PlanRefusal)
      .describe("every refusal, in replay order; a refused operation is skipped and the replay goes on"),
  })
  .meta({ id: "PlanCheckResult" });
export type PlanCheckResult = z.infer<typeof PlanCheckResult>;
