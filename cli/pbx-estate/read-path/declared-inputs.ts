/**
 * The inputs the engine sees for a declared resource: its arguments from the estate mapping the program
 * uses (sdk/estate-resources.ts), with other resources' outputs filled in as the program sees them in a
 * preview (unknown until the apply where they are), the SDK's client reference and provider shim, then the
 * provider's own `check` as the dynamic-provider plugin runs it.
 */
import { checkInputs, resourceKinds, unknownValue, type Inputs } from "../../../provider/contract.ts";
import { clientReferenceIn } from "../../../sdk/client-reference.ts";
import { isOutputOf, type DeclaredResource, type OutputOf } from "../../../sdk/estate-resources.ts";
import { pbxTypeToken } from "../../../sdk/pbx-type.ts";
import { providerShim, type ResourceKind } from "../../../sdk/provider-shim.ts";
import { CliError } from "../errors.ts";

/** What the program sees of a resource in a preview: its outputs, each known or `unknownValue`. */
export type SeenOutputs = (name: string) => Partial<Record<OutputOf["output"], unknown>>;

export const providerKindOf: Record<DeclaredResource["type"], ResourceKind> = {
  ServiceSubscription: "subscription",
  SipDevice: "device",
  PbxUser: "user",
};

/** The engine's URN of an estate resource, as the component's children carry it. */
export function urnOf(project: string, stack: string, resource: DeclaredResource): string {
  return `urn:pulumi:${stack}::${project}::pbx:index:Estate$${pbxTypeToken(resource.type)}::${resource.name}`;
}

/** A value as the SDK serialises it: absent values left out, other resources' outputs filled in. */
function serialised(value: unknown, seen: SeenOutputs): unknown {
  if (isOutputOf(value)) {
    const output = seen(value.outputOf)[value.output];
    return output === undefined ? unknownValue : output;
  }
  if (Array.isArray(value)) return value.map((item) => serialised(item, seen) ?? null);
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value).map(([k, v]) => [k, serialised(v, seen)] as const);
    return Object.fromEntries(entries.filter(([, v]) => v !== undefined));
  }
  return value;
}

/** The inputs the SDK registers for `resource` (sdk/pbx-resource.ts `pbxInputs`). */
export function registeredInputs(
  project: string,
  stack: string,
  resource: DeclaredResource,
  seen: SeenOutputs,
): Inputs {
  return {
    ...(serialised(resource.args, seen) as Inputs),
    clientReference: clientReferenceIn(project, stack, resource.type, resource.name),
    __provider: providerShim(providerKindOf[resource.type]),
  };
}

/**
 * The provider's `check` of `news` against the recorded inputs `olds` (none for a create or a replacement's
 * create): the inputs the engine records and diffs, with the shim the plugin puts back.
 */
export function checkedInputs(resource: DeclaredResource, olds: Inputs | undefined, news: Inputs): Inputs {
  const rules = resourceKinds[providerKindOf[resource.type]];
  const checked = checkInputs(rules.schema, olds ?? {}, news, rules.defaults);
  if (checked.failures && checked.failures.length > 0) {
    throw new CliError(`could not plan:\n  ${resource.name}: ${checked.failures.map((f) => f.reason).join("\n  ")}`);
  }
  return { ...(checked.inputs as Inputs), __provider: news.__provider };
}
