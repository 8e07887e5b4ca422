/**
 * The provider implementation the SDK's frozen shim loads by package name (`pbx-estate/provider`) inside the
 * dynamic-provider plugin process. `hooksFor(kind)` answers one resource kind's hooks; `configure` receives
 * the stack config once per process. Checks and diffs need only the input schemas; the hooks that talk to
 * the backend (and the HTTP client under them) are evaluated at their first call, so a preview never runs
 * them (the built module, tools/build-provider.ts, holds them unevaluated).
 */
import type * as pulumi from "@pulumi/pulumi";
import { configureProvider } from "./configuration.ts";
import { DeviceInputs, deviceDiff } from "./device/inputs.ts";
import { checkInputs, type Inputs } from "./hooks/check.ts";
import { diffResources, type DiffSpec } from "./hooks/diff.ts";
import { keepShortLivedObjectsYoung } from "./plugin-gc.ts";
import { refuseUnplannedRemoval } from "./removal-guards.ts";
import { SubscriptionInputs, subscriptionDefaults, subscriptionDiff } from "./subscription/inputs.ts";
import { UserInputs, userDiff, userRecordedDefaults } from "./user/inputs.ts";
import type { z } from "zod";

keepShortLivedObjectsYoung();

export type ResourceKind = "subscription" | "device" | "user";

type Hooks = Required<Omit<pulumi.dynamic.ResourceProvider<Inputs, Inputs>, "configure">> & {
  configure(req: pulumi.dynamic.ConfigureRequest): Promise<void>;
};
type Changes = Pick<Hooks, "create" | "read" | "update" | "delete">;

/** Per kind: its input schema, the defaults state leaves out, its diff and (loaded at first use) its changes. */
const declared: Record<ResourceKind, { schema: z.ZodType; defaults: Inputs; diff: DiffSpec; changes: () => Promise<Changes> }> = {
  subscription: {
    schema: SubscriptionInputs,
    defaults: subscriptionDefaults,
    diff: subscriptionDiff,
    changes: async () => (await import("./subscription/hooks.ts")).subscriptionHooks,
  },
  device: { schema: DeviceInputs, defaults: {}, diff: deviceDiff, changes: async () => (await import("./device/hooks.ts")).deviceHooks },
  user: { schema: UserInputs, defaults: userRecordedDefaults, diff: userDiff, changes: async () => (await import("./user/hooks.ts")).userHooks },
};

export function hooksFor(kind: ResourceKind): Hooks {
  const d = declared[kind];
  if (!d) throw new Error(`pbx-estate provider has no resource kind ${String(kind)}`);
  // Loaded once: an `import()` per call costs a module-map lookup and two promises on every read of a refresh.
  let loaded: Promise<Changes> | undefined;
  const changes = () => (loaded ??= d.changes());
  return {
    check: async (olds, news) => checkInputs(d.schema, olds, news, d.defaults),
    diff: async (_id, olds, news) => diffResources(d.diff, olds, news),
    create: async (props) => (await changes()).create(props),
    read: async (id, props) => (await changes()).read(id, props),
    update: async (id, olds, news) => (await changes()).update(id, olds, news),
    delete: async (id, props) => {
      refuseUnplannedRemoval(id);
      return (await changes()).delete(id, props);
    },
    configure: async (req) => configureProvider(req.config),
  };
}
