/**
 * Base of the SDK's resources: a custom resource served by Pulumi's Node.js dynamic-provider plugin
 * (type token `pulumi-nodejs:dynamic/pbx:<Type>`), whose `__provider` is the frozen shim from
 * ./provider-shim.ts. This is what `pulumi.dynamic.Resource` does, minus closure serialization.
 */
import * as pulumi from "@pulumi/pulumi";
import { providerShim, type ResourceKind } from "./provider-shim.ts";
import { clientReferenceFor } from "./client-reference.ts";

export abstract class PbxResource extends pulumi.CustomResource {
  protected constructor(
    kind: ResourceKind,
    type: string,
    name: string,
    props: pulumi.Inputs,
    opts: pulumi.CustomResourceOptions | undefined,
  ) {
    const inputs = { ...props, clientReference: clientReferenceFor(type, name), __provider: providerShim(kind) };
    // The Node SDK captures and formats a stack trace for each of the four promises it makes per property,
    // kept only for PULUMI_DEBUG_PROMISE_LEAKS; in a 5,000-resource estate that was a fifth of the program's
    // CPU. Registration skips it unless leak debugging is on. Source positions are unaffected: the SDK
    // lifts the limit itself to take them.
    const stackTraceLimit = Error.stackTraceLimit;
    if (!process.env.PULUMI_DEBUG_PROMISE_LEAKS) Error.stackTraceLimit = 0;
    try {
      super(`pulumi-nodejs:dynamic/pbx:${type}`, name, inputs, opts);
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
  }
}
