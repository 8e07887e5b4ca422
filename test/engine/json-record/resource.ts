/**
 * `JsonRecord`, the proof suite's resource. Its provider is a thin shim: each hook loads ./provider.ts
 * by path at call time, so the serialized `__provider` holds only that path and no captured modules.
 */
import * as pulumi from "@pulumi/pulumi";
import type { JsonRecordInputs } from "./provider.ts";

type Hooks = Required<pulumi.dynamic.ResourceProvider<JsonRecordInputs, JsonRecordInputs>>;

const implementationPath = new URL("./provider.ts", import.meta.url).pathname;

const shim: pulumi.dynamic.ResourceProvider<JsonRecordInputs, JsonRecordInputs> = {
  create: (inputs) => implementation().create(inputs),
  read: (id, props) => implementation().read(id, props),
  diff: (id, olds, news) => implementation().diff(id, olds, news),
  update: (id, olds, news) => implementation().update(id, olds, news),
  delete: (id, props) => implementation().delete(id, props),
};

function implementation(): Hooks {
  const require = process.getBuiltinModule("node:module").createRequire(implementationPath);
  return (require(implementationPath) as { hooks: Hooks }).hooks;
}

export interface JsonRecordArgs {
  file: pulumi.Input<string>;
  fields: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

export class JsonRecord extends pulumi.dynamic.Resource {
  declare readonly fields: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: JsonRecordArgs, opts?: pulumi.CustomResourceOptions) {
    super(shim, name, { ...args, fields: args.fields }, opts, "test", "JsonRecord");
  }
}
