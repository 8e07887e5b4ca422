// The schemas the backend, the provider and the YAML loader share.
export * from "./common.ts";
export * from "./problem.ts";
export * from "./account.ts";
export * from "./catalogue.ts";
export * from "./order.ts";
export * from "./subscription.ts";
export * from "./device.ts";
export * from "./user.ts";
export * from "./change-set.ts";
export * from "./audit.ts";
