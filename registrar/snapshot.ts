/**
 * The revision snapshot: everything the SIP registrar needs to know about one applied configuration
 * revision, as plain data. The backend builds one per applied revision and hands it to
 * `publishSnapshot`; nothing here reads a store.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { AreaPrefix } from "../schemas/user.ts";

/** The call plans a user licence carries (mirrors `CallPlanId` in schemas/catalogue.ts). */
export const CALL_PLANS = ["pay-as-you-go", "national-unlimited", "international"] as const;
export type CallPlan = (typeof CALL_PLANS)[number];

/**
 * Destinations that leave through the trunk and depend on the caller's call plan. Extensions (2–5
 * digits) and emergency numbers (999, 112) are always allowed and are not listed here.
 */
export type TrunkDestination = "local" | "national" | "international";

/**
 * What each call plan may dial through the trunk. A user with no call plan (`null`) may dial only
 * extensions and emergency numbers. Pay-as-you-go is billed per call, so it reaches every destination.
 */
export const DESTINATIONS_BY_CALL_PLAN: Readonly<Record<CallPlan, readonly TrunkDestination[]>> = {
  "pay-as-you-go": ["local", "national", "international"],
  "national-unlimited": ["local", "national"],
  international: ["local", "national", "international"],
};

const Ha1 = z.string().regex(/^[0-9a-f]{32}$/, "must be 32 lowercase hex digits: md5(username:realm:password)");

export const SnapshotDevice = z
  .object({
    sipUsername: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "must be 1 to 64 letters, digits, '.', '_' or '-'"),
    ha1: Ha1,
    userId: z.string().min(1).max(64).nullable(),
  })
  .strict();
export type SnapshotDevice = z.infer<typeof SnapshotDevice>;

export const SnapshotUser = z
  .object({
    id: z.string().min(1).max(64),
    extension: z.string().regex(/^[0-9]{2,5}$/, "must be 2 to 5 digits"),
    areaPrefix: AreaPrefix,
    callerId: z.string().regex(/^\+[1-9][0-9]{7,14}$/, "must be an E.164 number such as +442079460000"),
    callPlan: z.enum(CALL_PLANS).nullable(),
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
      if (userIds.has(u.id)) ctx.addIssue({ code: "custom", path: ["users", i, "id"], message: `duplicate user id ${u.id}` });
      if (extensions.has(u.extension))
        ctx.addIssue({ code: "custom", path: ["users", i, "extension"], message: `extension ${u.extension} is used twice` });
      if (u.extension === "999" || u.extension === "112")
        ctx.addIssue({ code: "custom", path: ["users", i, "extension"], message: `extension ${u.extension} is an emergency number` });
      userIds.add(u.id);
      extensions.add(u.extension);
    });
    const usernames = new Set<string>();
    s.devices.forEach((d, i) => {
      if (usernames.has(d.sipUsername))
        ctx.addIssue({ code: "custom", path: ["devices", i, "sipUsername"], message: `duplicate SIP username ${d.sipUsername}` });
      if (d.userId !== null && !userIds.has(d.userId))
        ctx.addIssue({ code: "custom", path: ["devices", i, "userId"], message: `links to user ${d.userId}, which the snapshot lacks` });
      usernames.add(d.sipUsername);
    });
  });
export type RevisionSnapshot = z.infer<typeof RevisionSnapshot>;

/**
 * The digest secret a device's credentials become: md5(username:realm:password), lowercase hex. The
 * realm is the registrar's (`REGISTRAR_REALM` unless the registrar was started with another), so the
 * backend computes this when a password is created or rotated and never stores the password itself.
 */
export function sipHa1(username: string, realm: string, password: string): string {
  return createHash("md5").update(`${username}:${realm}:${password}`).digest("hex");
}

/** The digest realm the registrar challenges with unless started with another. */
export const REGISTRAR_REALM = "pbx-estate";
