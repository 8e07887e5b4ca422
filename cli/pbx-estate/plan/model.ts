/**
 * A plan as the CLI reports it: what changes per user and device, field by field, in the estate file's
 * own terms; the licences ordered and cancelled (with the date each cancellation takes effect); the
 * monthly cost before and after. It is the `--json` output and the body of a plan file, so it holds no
 * secret (a SIP password is never an input) and nothing that changes between two runs over the same code
 * and the same live objects.
 */
import type { RemovalPolicy } from "../../../schemas/subscription.ts";

export type PlanValue = string | number | boolean | null | PlanValue[] | { [key: string]: PlanValue };

export type EntityOp = "create" | "update" | "replace" | "delete";

export interface FieldChange {
  /** The estate file's field name: name, extension, callPlan, devices, removal, acceptTerms, user, … */
  field: string;
  from?: PlanValue;
  to?: PlanValue;
  /** The live value differs from what the last apply set: someone changed it outside pbx-estate. */
  outOfBand?: boolean;
}

export interface UserChange {
  key: string;
  op: EntityOp;
  /** `201 John Smith` */
  label: string;
  fields: FieldChange[];
}

export interface DeviceChange {
  key: string;
  /** The user the device belongs to after the change (before it, for a removal). */
  user: string | null;
  op: EntityOp;
  /** The device's display name. */
  label: string;
  fields: FieldChange[];
}

export interface LicenceHolder {
  kind: "user" | "device";
  key: string;
}

export interface LicenceOrder {
  for: LicenceHolder;
  product: string;
  callPlan: string | null;
  monthlyPriceMinor: number;
}

/**
 * A licence an earlier run of this stack made (found by its client reference) but never recorded, typically
 * because that run was killed: the apply takes it over instead of ordering one.
 */
export interface LicenceAdoption {
  for: LicenceHolder;
  product: string;
  callPlan: string | null;
  subscriptionId: string;
  /** What it costs a month now: already billed, so part of the current cost. */
  monthlyPriceMinor: number;
}

/**
 * A licence scheduled for cancellation outside pbx-estate (in the portal) that the apply reinstates for its
 * holder: the same licence runs on, so it counts again in the monthly cost; nothing is ordered.
 */
export interface LicenceReinstatement {
  for: LicenceHolder;
  product: string;
  callPlan: string | null;
  subscriptionId: string;
  /** The last day it would have run, in the account's time zone. */
  lastDay: string | null;
  monthlyPriceMinor: number;
}

/**
 * A licence of the account pending cancellation (cancelled in the portal, or left by another estate) that a
 * new licence of this estate claims instead of ordering one: the provider reinstates it for the new holder
 * (`claimPending`, the SDK's default). It was to run until its last day; it now runs on, so its price counts
 * in the monthly cost after the apply as an order's would, and nothing is ordered.
 */
export interface LicenceClaim {
  for: LicenceHolder;
  product: string;
  callPlan: string | null;
  subscriptionId: string;
  /** The last day it would have run, in the account's time zone. */
  lastDay: string | null;
  monthlyPriceMinor: number;
}

export interface LicenceCancellation {
  for: LicenceHolder;
  product: string;
  callPlan: string | null;
  subscriptionId: string;
  removal: RemovalPolicy;
  /** The instant the cancellation takes effect; null for `immediately` (the moment it is applied). */
  takesEffectAt: string | null;
  /** The last day the licence runs, in the account's time zone (today, for `immediately`). */
  lastDay: string;
  /** What it costs now a month; 0 when it was already cancelled outside pbx-estate. */
  monthlyPriceMinor: number;
}

export interface CallPlanChange {
  user: string;
  from: string | null;
  to: string | null;
  monthlyDeltaMinor: number;
}

export interface CostDelta {
  currency: string;
  /** What the estate's active licences cost a month now. */
  currentMonthlyMinor: number;
  monthlyDeltaMinor: number;
  newMonthlyMinor: number;
}

export interface ChangeCounts {
  create: number;
  update: number;
  replace: number;
  delete: number;
}

export interface EstatePlan {
  estate: string;
  stack: string;
  account: { id: string; name: string; timeZone: string };
  users: UserChange[];
  devices: DeviceChange[];
  licences: {
    orders: LicenceOrder[];
    adoptions: LicenceAdoption[];
    reinstatements: LicenceReinstatement[];
    /** New licences that reinstate one pending cancellation instead of being ordered. */
    claims: LicenceClaim[];
    cancellations: LicenceCancellation[];
    callPlanChanges: CallPlanChange[];
  };
  cost: CostDelta;
  counts: { users: ChangeCounts; devices: ChangeCounts };
  hasChanges: boolean;
}
