/**
 * The provider implementation the SDK's frozen shim loads by package name (`pbx-estate/provider`) inside the
 * dynamic-provider plugin process. `hooksFor(kind)` answers one resource kind's hooks; `configure` receives
 * the stack config once per process. Its name, argument and answer are recorded in every stack's state
 * (sdk/provider-shim.ts): they never change. Checks and diffs need only the input schemas; the hooks that
 * talk to the backend (and the HTTP client under them) are evaluated at their first call, so a preview never
 * runs them (the built module, tools/build-provider.ts, holds them unevaluated). Those hooks take their
 * context as an argument (./context.ts); here they are given the plugin's.
 */
import type * as pulumi from "@pulumi/pulumi";
import { configuredSettings, configureProvider } from "./settings.ts";
import type { ProviderContext, ResourceChanges } from "./context.ts";
import { checkInputs } from "./hook-helpers/check.ts";
import { changedFields, diffOf } from "./hook-helpers/diff.ts";
import type { Inputs } from "./hook-helpers/inputs.ts";
import { hadState } from "./identity.ts";
import { resourceKinds, type ResourceKind } from "./kinds.ts";
import { refuseUnplannedStep } from "./planned-steps.ts";
import { keepShortLivedObjectsYoung } from "./plugin-gc.ts";
import { refuseUnplannedRemoval } from "./removal-guards.ts";
import type { Settings } from "./settings.ts";

keepShortLivedObjectsYoung();

export type { ResourceKind };

type Hooks = Required<Omit<pulumi.dynamic.ResourceProvider<Inputs, Inputs>, "configure">> & {
  configure(req: pulumi.dynamic.ConfigureRequest): Promise<void>;
};

let context: { settings: Settings; context: Promise<ProviderContext> } | undefined;

/**
 * The context every hook of this process shares, built at the first hook that needs one and again only when
 * the backend or token configured changes. The service terms to accept are read at each call.
 */
async function pluginContext(): Promise<ProviderContext> {
  const settings = configuredSettings();
  if (context?.settings.endpoint !== settings.endpoint || context.settings.token !== settings.token) {
    context = { settings, context: import("./context.ts").then(({ providerContext }) => providerContext(settings)) };
  }
  return { ...(await context.context), acceptTerms: settings.acceptTerms };
}

export function hooksFor(kind: ResourceKind): Hooks {
  const d = resourceKinds[kind];
  if (!d) throw new Error(`pbx-estate provider has no resource kind ${String(kind)}`);
  // Loaded once: an `import()` per call costs a module-map lookup and two promises on every read of a refresh.
  let loaded: Promise<ResourceChanges> | undefined;
  const changes = () => (loaded ??= d.changes());
  return {
    check: async (olds, news) => {
      const checked = checkInputs(d.schema, olds, news, d.defaults);
      // A create gets no `diff`: its planned step is checked here. The replacement's create of a resource
      // with state (checked again without old inputs) was checked by the `diff` that decided to replace.
      const reference: unknown = (checked.inputs as Inputs | undefined)?.clientReference;
      const isCreate = olds === undefined || Object.keys(olds).length === 0;
      if (isCreate && typeof reference === "string" && hadState(reference) !== true)
        refuseUnplannedStep(reference, { op: "create", fields: [] });
      return checked;
    },
    diff: async (_id, olds, news) => {
      const changed = changedFields(d.diff, olds, news);
      const result = diffOf(d.diff, changed);
      const op = (result.replaces?.length ?? 0) > 0 ? "replace" : result.changes ? "update" : "same";
      refuseUnplannedStep(news.clientReference, { op, fields: changed });
      return result;
    },
    create: async (props) => (await changes()).create(await pluginContext(), props),
    read: async (id, props) => (await changes()).read(await pluginContext(), id, props),
    update: async (id, olds, news) => (await changes()).update(await pluginContext(), id, olds, news),
    delete: async (id, props) => {
      refuseUnplannedRemoval(id);
      return (await changes()).delete(await pluginContext(), id, props);
    },
    configure: async (req) => configureProvider(req.config),
  };
}
