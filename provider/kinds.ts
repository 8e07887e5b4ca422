/**
 * Per resource kind: its input schema, the defaults state leaves out, its diff and (loaded at first use) its
 * changes. The plugin's hooks (./index.ts) and the CLI's read path, which checks, reads and diffs without the
 * engine, take them from here.
 */
import type { z } from "zod";
import type { ResourceChanges } from "./context.ts";
import { DeviceInputs, deviceDiff } from "./device/inputs.ts";
import type { DiffSpec } from "./hook-helpers/diff.ts";
import type { Inputs } from "./hook-helpers/inputs.ts";
import { SubscriptionInputs, subscriptionDefaults, subscriptionDiff } from "./subscription/inputs.ts";
import { UserInputs, userDiff, userRecordedDefaults } from "./user/inputs.ts";

export type ResourceKind = "subscription" | "device" | "user";

export interface KindRules {
  schema: z.ZodType;
  defaults: Inputs;
  diff: DiffSpec;
  changes: () => Promise<ResourceChanges>;
}

export const resourceKinds: Record<ResourceKind, KindRules> = {
  subscription: {
    schema: SubscriptionInputs,
    defaults: subscriptionDefaults,
    diff: subscriptionDiff,
    changes: async () => (await import("./subscription/hooks.ts")).subscriptionHooks,
  },
  device: {
    schema: DeviceInputs,
    defaults: {},
    diff: deviceDiff,
    changes: async () => (await import("./device/hooks.ts")).deviceHooks,
  },
  user: {
    schema: UserInputs,
    defaults: userRecordedDefaults,
    diff: userDiff,
    changes: async () => (await import("./user/hooks.ts")).userHooks,
  },
};
