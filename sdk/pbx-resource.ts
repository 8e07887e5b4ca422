/**
 * What the SDK's resources share: each is a custom resource served by Pulumi's Node.js dynamic-provider
 * plugin (type token `pulumi-nodejs:dynamic/pbx:<Type>`), whose `__provider` is the frozen shim from
 * ./provider-shim.ts. This is what `pulumi.dynamic.Resource` does, minus closure serialization.
 *
 * The resources extend `pulumi.CustomResource` directly, with no base class of ours in between: the Node
 * SDK takes the line that declared a resource (its source position in state, shown by Pulumi Cloud) from a
 * fixed depth of the constructor's stack, so one more constructor would make that line the SDK's own.
 */
import * as pulumi from "@pulumi/pulumi";
import { providerShim, type ResourceKind } from "./provider-shim.ts";
import { clientReferenceIn } from "./client-reference.ts";
import type { PbxType } from "./pbx-type.ts";
import { hasUnpairedSurrogate } from "../schemas/text.ts";

/** The inputs a resource registers: its arguments, its client reference and the provider shim. */
export function pbxInputs(kind: ResourceKind, type: PbxType, name: string, props: pulumi.Inputs): pulumi.Inputs {
  refuseUnpairedSurrogates(type, name, props, []);
  return {
    ...props,
    clientReference: clientReferenceIn(pulumi.getProject(), pulumi.getStack(), type, name),
    __provider: providerShim(kind),
  };
}

/**
 * Text with an unpaired surrogate cannot reach the provider's check: the engine's wire format refuses it
 * with "string field contains invalid UTF-8", naming nothing. So a plain text input that holds one is
 * refused here, naming the resource, the field and the rule the check would have named.
 */
function refuseUnpairedSurrogates(type: PbxType, name: string, value: unknown, path: string[]): void {
  if (typeof value === "string") {
    if (hasUnpairedSurrogate(value)) {
      throw new Error(
        `pbx:${type} ${name}: ${path.join(".")}: holds an unpaired surrogate: not well-formed Unicode text [rule: ill-formed-unicode]`,
      );
    }
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => refuseUnpairedSurrogates(type, name, item, [...path, String(index)]));
  } else if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value)) refuseUnpairedSurrogates(type, name, item, [...path, key]);
  }
}

/**
 * The Node SDK captures and formats a stack trace for each of the four promises it makes per property,
 * kept only for PULUMI_DEBUG_PROMISE_LEAKS; in a 5,000-resource estate that was a fifth of the program's
 * CPU. Registration skips it unless leak debugging is on; call the returned function once registered.
 * Source positions are unaffected: the SDK lifts the limit itself to take them.
 */
export function skipPromiseStackTraces(): () => void {
  const stackTraceLimit = Error.stackTraceLimit;
  if (!process.env.PULUMI_DEBUG_PROMISE_LEAKS) Error.stackTraceLimit = 0;
  return () => {
    Error.stackTraceLimit = stackTraceLimit;
  };
}
