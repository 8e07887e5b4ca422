/**
 * The provider implementation the SDK's frozen shim loads by package name (`pbx-estate/provider`) inside the
 * dynamic-provider plugin process. `hooksFor(kind)` answers one resource kind's hooks; `configure` receives
 * the stack config once per process.
 */
import type * as pulumi from "@pulumi/pulumi";
import { configureProvider } from "./context.ts";
import { deviceHooks } from "./device/hooks.ts";
import type { Inputs } from "./hooks/check.ts";
import { subscriptionHooks } from "./subscription/hooks.ts";
import { userHooks } from "./user/hooks.ts";

export type ResourceKind = "subscription" | "device" | "user";

type Hooks = Required<Omit<pulumi.dynamic.ResourceProvider<Inputs, Inputs>, "configure">> & {
  configure(req: pulumi.dynamic.ConfigureRequest): Promise<void>;
};

const byKind = { subscription: subscriptionHooks, device: deviceHooks, user: userHooks } as const;

export function hooksFor(kind: ResourceKind): Hooks {
  const hooks = byKind[kind];
  if (!hooks) throw new Error(`pbx-estate provider has no resource kind ${String(kind)}`);
  return {
    ...hooks,
    configure: async (req) => configureProvider(req.config),
  };
}
