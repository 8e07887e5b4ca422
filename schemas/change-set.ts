// Change sets (save) and revisions (apply).
import { z } from "zod";
import { Id, Instant } from "./common.ts";
import { Device } from "./device.ts";
import { User } from "./user.ts";
import { checkText } from "./text.ts";

export const ChangeSetCreate = z
  .object({ description: z.string().max(500).superRefine(checkText("lines")).optional() })
  .strict()
  .meta({ id: "ChangeSetCreate" });

export const ChangeSet = z
  .object({
    id: Id,
    status: z.enum(["open", "applied", "discarded"]),
    description: z.string().nullable(),
    operations: z.number().int(),
    createdAt: Instant,
    appliedRevision: z.number().int().nullable(),
  })
  .meta({ id: "ChangeSet" });
export type ChangeSet = z.infer<typeof ChangeSet>;

export const ApplyResult = z
  .object({
    revision: z.number().int(),
    changeSetId: Id,
    users: z.array(User).describe("the users the change set touched, as live now (deleted ones left out)"),
    devices: z.array(Device).describe("the devices the change set touched, as live now (deleted ones left out)"),
  })
  .meta({ id: "ApplyResult" });

export const Revision = z
  .object({ revision: z.number().int(), changeSetId: Id.nullable(), appliedAt: Instant, operations: z.number().int() })
  .meta({ id: "Revision" });
