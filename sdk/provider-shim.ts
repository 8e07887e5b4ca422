/**
 * The serialized dynamic provider stored in every resource's `__provider` property.
 *
 * Pulumi's closure serializer would copy our code (and any absolute path it captures) into state, where
 * it must keep working for every later delete and refresh, on every machine. Instead each resource
 * carries this small, frozen module: at call time it loads the real implementation by package name
 * (`pbx-estate/provider`) from the program's folder, so upgrades of pbx-estate change behaviour without
 * touching state, and credentials or clients are never captured. It is stored twice per resource and
 * travels in every call between the engine and the plugin, so it is kept short. Neither the plugin nor our
 * diff treats a changed text as a change: a stack written with an earlier text keeps working (tested).
 */
export type ResourceKind = "subscription" | "device" | "user";

export function providerShim(kind: ResourceKind): string {
  return `exports.handler=()=>require("node:module").createRequire(require("node:path").join(process.cwd(),"pbx-estate.js"))("pbx-estate/provider").hooksFor(${JSON.stringify(kind)});\n`;
}
