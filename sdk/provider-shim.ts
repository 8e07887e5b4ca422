/**
 * The serialized dynamic provider stored in every resource's `__provider` property.
 *
 * Pulumi's closure serializer would copy our code (and any absolute path it captures) into state, where
 * it must keep working for every later delete and refresh, on every machine. Instead each resource
 * carries this small, frozen module: at call time it loads the real implementation by package name
 * (`pbx-estate/provider`) from the program's folder, so upgrades of pbx-estate change behaviour without
 * touching state, and credentials or clients are never captured. Keep the text stable: it is compared
 * across runs and stored twice per resource.
 */
export type ResourceKind = "subscription" | "device" | "user";

const hooks = ["check", "diff", "create", "read", "update", "delete", "configure"] as const;

export function providerShim(kind: ResourceKind): string {
  const load = `()=>require("node:module").createRequire(require("node:path").join(process.cwd(),"pbx-estate.js"))("pbx-estate/provider").hooksFor(${JSON.stringify(kind)})`;
  const methods = hooks.map((hook) => `${hook}:(...a)=>m().${hook}(...a)`).join(",");
  return `exports.handler=()=>{const m=${load};return{${methods}}};\n`;
}
