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
    super(`pulumi-nodejs:dynamic/pbx:${type}`, name, inputs, opts);
  }
}
