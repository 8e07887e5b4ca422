// The revision snapshot: everything the SIP registrar needs to know about one applied configuration
// revision, as plain data. The backend builds one per applied revision; the registrar refuses one that does
// not have this shape. Its user fields follow the user's own rules, so the registrar accepts exactly what
// the backend does.
import { z } from "zod";
import { CallPlanId } from "./catalogue.ts";
import { E164 } from "./common.ts";
import { ruleParams } from "./problem.ts";
import { AreaPrefix, Extension, Recording } from "./user.ts";

/** md5(username:realm:password), lowercase hex: the digest secret a device's password becomes. */
const Ha1 = z.string().regex(/^[0-9a-f]{32}$/, "must be 32 lowercase hex digits: md5(username:realm:password)");

/** What the registrar keeps of a snapshot id: its `pbx_*` columns are 64 characters wide. */
const SnapshotId = z.string().min(1).max(64);

export const SnapshotDevice = z
  .object({
    sipUsername: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "must be 1 to 64 letters, digits, '.', '_' or '-'"),
    ha1: Ha1,
    userId: SnapshotId.nullable(),
  })
  .strict();
export type SnapshotDevice = z.infer<typeof SnapshotDevice>;

/**
 * Where a recording user's calls go, decided when each call starts: null when recording is off. Both
 * fields follow the user's own recording rules (required once recording is on).
 */
export const SnapshotRecording = z
  .object({
    email: Recording.shape.email.unwrap(),
    subject: Recording.shape.subject.unwrap(),
  })
  .strict();
export type SnapshotRecording = z.infer<typeof SnapshotRecording>;

export const SnapshotUser = z
  .object({
    id: SnapshotId,
    extension: Extension,
    areaPrefix: AreaPrefix,
    callerId: E164,
    callPlan: CallPlanId.nullable(),
    recording: SnapshotRecording.nullable(),
  })
  .strict();
export type SnapshotUser = z.infer<typeof SnapshotUser>;

/** One applied revision, complete: a device or user absent from it does not exist on the registrar. */
export const RevisionSnapshot = z
  .object({
    revision: z.number().int().nonnegative(),
    devices: z.array(SnapshotDevice),
    users: z.array(SnapshotUser),
  })
  .strict()
  .superRefine((s, ctx) => {
    const userIds = new Set<string>();
    const extensions = new Set<string>();
    s.users.forEach((u, i) => {
      if (userIds.has(u.id))
        ctx.addIssue({
          code: "custom",
          path: ["users", i, "id"],
          message: `duplicate user id ${u.id}`,
          params: ruleParams("unique"),
        });
      if (extensions.has(u.extension))
        ctx.addIssue({
          code: "custom",
          path: ["users", i, "extension"],
          message: `extension ${u.extension} is used twice`,
          params: ruleParams("unique"),
        });
      userIds.add(u.id);
      extensions.add(u.extension);
    });
    const usernames = new Set<string>();
    s.devices.forEach((d, i) => {
      if (usernames.has(d.sipUsername))
        ctx.addIssue({
          code: "custom",
          path: ["devices", i, "sipUsername"],
          message: `duplicate SIP username ${d.sipUsername}`,
          params: ruleParams("unique"),
        });
      if (d.userId !== null && !userIds.has(d.userId))
        ctx.addIssue({
          code: "custom",
          path: ["devices", i, "userId"],
          message: `links to user ${d.userId}, which the snapshot lacks`,
          params: ruleParams("exists"),
        });
      usernames.add(d.sipUsername);
    });
  });
export type RevisionSnapshot = z.infer<typeof RevisionSnapshot>;
