/**
 * What the registrar makes of a revision snapshot (its shape is `RevisionSnapshot` in
 * schemas/revision-snapshot.ts): which trunk destinations each call plan reaches, and the digest secret a
 * device's password becomes. The backend builds one snapshot per applied revision and hands it to
 * `publishSnapshot`; nothing here reads a store.
 */
import { createHash } from "node:crypto";
import { CallPlanId } from "../schemas/catalogue.ts";

export { RevisionSnapshot, SnapshotDevice, SnapshotRecording, SnapshotUser } from "../schemas/revision-snapshot.ts";

/** The call plans a user licence carries. */
export const CALL_PLANS = CallPlanId.options;
export type CallPlan = CallPlanId;

/**
 * Destinations that leave through the trunk and depend on the caller's call plan. Extensions and emergency
 * numbers (schemas/user.ts) are always allowed and are not listed here.
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
