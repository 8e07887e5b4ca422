/**
 * The client of the provisioning backend's HTTP API, the one every part of pbx-estate talks to it through:
 * the provider's hooks, the CLI, its export and the demo. `HttpClient` speaks HTTP (pool, deadlines,
 * retries, batching); `PbxApi` has one typed method per call; failures are `ApiError` (the backend
 * answered with a problem) or `TransportError` (no usable answer). The types are the schemas' own.
 */
export { ApiError, TransportError, type Problem } from "./errors.ts";
export { HttpClient, type HttpClientOptions } from "./http.ts";
export { PbxApi, type ApplyAnswer } from "./pbx-api.ts";
export { ReadBatcher } from "./read-batcher.ts";
export type { Whoami } from "../schemas/account.ts";
export type { Catalogue } from "../schemas/catalogue.ts";
export type { Device, DeviceWithPassword } from "../schemas/device.ts";
export type { Subscription } from "../schemas/subscription.ts";
export type { User } from "../schemas/user.ts";
