/**
 * The provisioning API as pbx-estate uses it: one typed method per call, all going through the one HTTP
 * client. Configuration writes carry the change set they are staged in; versions travel as If-Match.
 */
import type { Whoami } from "../schemas/account.ts";
import type { Catalogue } from "../schemas/catalogue.ts";
import type { ApplyResult, ChangeSet } from "../schemas/change-set.ts";
import type { PlanCheckRequest, PlanCheckResult } from "../schemas/plan-check.ts";
import type { Device, DeviceCreate, DeviceUpdate, DeviceWithPassword } from "../schemas/device.ts";
import type { Order, OrderCreate } from "../schemas/order.ts";
import type { CancelRequestAsSent, Subscription, SubscriptionQuery } from "../schemas/subscription.ts";
import type { User, UserCreate, UserUpdate } from "../schemas/user.ts";
import type { z } from "zod";
import type { HttpClient } from "./http.ts";

export type ApplyAnswer = z.infer<typeof ApplyResult>;

const changeSetHeader = (changeSetId: string | undefined): Record<string, string> =>
  changeSetId ? { "pbx-change-set": changeSetId } : {};
const ifMatch = (version: number | undefined): Record<string, string> =>
  version === undefined ? {} : { "if-match": `"${version}"` };
const enc = encodeURIComponent;

export class PbxApi {
  readonly http: HttpClient;

  constructor(http: HttpClient) {
    this.http = http;
  }

  async whoami(): Promise<Whoami> {
    return (await this.http.request<Whoami>("GET", "/v1/whoami")).body;
  }

  async catalogue(): Promise<Catalogue> {
    return (await this.http.request<Catalogue>("GET", "/v1/catalogue")).body;
  }

  // Orders and subscriptions take effect at once; they are not part of the configuration's change sets.

  /** Orders with a client reference and an idempotency key, so a retry can never order twice. */
  async order(input: OrderCreate, idempotencyKey: string): Promise<Order> {
    const { body } = await this.http.request<Order>("POST", "/v1/orders", {
      body: input,
      headers: { "idempotency-key": idempotencyKey },
      idempotent: true,
    });
    return body;
  }

  async subscriptions(query: SubscriptionQuery = {}): Promise<Subscription[]> {
    const params = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined));
    const qs = params.size ? `?${params.toString()}` : "";
    return (await this.http.request<Subscription[]>("GET", `/v1/subscriptions${qs}`)).body;
  }

  /** The subscription, or undefined when this account has no such subscription. */
  async subscription(id: string): Promise<Subscription | undefined> {
    const r = await this.http.request<Subscription>("GET", `/v1/subscriptions/${enc(id)}`, { accept: [404] });
    return r.status === 404 ? undefined : r.body;
  }

  /**
   * Cancels, accepting the service terms `request.termsVersion`: the backend refuses any but its current
   * ones, and without them answers which to accept.
   */
  async cancel(id: string, request: CancelRequestAsSent, version?: number): Promise<Subscription> {
    const r = await this.http.request<Subscription>("POST", `/v1/subscriptions/${enc(id)}/cancel`, {
      batchable: true,
      body: request,
      headers: ifMatch(version),
      idempotent: true,
    });
    return r.body;
  }

  /** `claimFor`: the client reference of the resource claiming the licence, recorded on it in the same write. */
  async reinstate(id: string, version: number, claimFor?: string): Promise<Subscription> {
    const r = await this.http.request<Subscription>("POST", `/v1/subscriptions/${enc(id)}/reinstate`, {
      body: claimFor === undefined ? {} : { clientReference: claimFor },
      headers: ifMatch(version),
      idempotent: true,
    });
    return r.body;
  }

  async changeCallPlan(id: string, callPlan: string, version?: number): Promise<Subscription> {
    const r = await this.http.request<Subscription>("POST", `/v1/subscriptions/${enc(id)}/call-plan`, {
      body: { callPlan },
      headers: ifMatch(version),
      idempotent: true,
    });
    return r.body;
  }

  /** Every refusal the planned operations would meet at apply; nothing is written, so a retry is safe. */
  async checkPlan(request: PlanCheckRequest): Promise<PlanCheckResult> {
    return (await this.http.request<PlanCheckResult>("POST", "/v1/plan-checks", { body: request, idempotent: true }))
      .body;
  }

  // Configuration: staged into a change set, live once the change set is applied.

  async openChangeSet(description: string): Promise<ChangeSet> {
    return (await this.http.request<ChangeSet>("POST", "/v1/change-sets", { body: { description } })).body;
  }

  async changeSet(id: string): Promise<ChangeSet | undefined> {
    const r = await this.http.request<ChangeSet>("GET", `/v1/change-sets/${enc(id)}`, { accept: [404] });
    return r.status === 404 ? undefined : r.body;
  }

  async applyChangeSet(id: string): Promise<ApplyAnswer> {
    return (await this.http.request<ApplyAnswer>("POST", `/v1/change-sets/${enc(id)}/apply`, { idempotent: true }))
      .body;
  }

  async discardChangeSet(id: string): Promise<void> {
    await this.http.request("DELETE", `/v1/change-sets/${enc(id)}`, { accept: [404, 409] });
  }

  /** Creates (or, for a reference already used, returns without password) a device. */
  async createDevice(
    changeSetId: string,
    input: DeviceCreate,
  ): Promise<{ device: Device | DeviceWithPassword; created: boolean }> {
    const r = await this.http.request<DeviceWithPassword>("POST", "/v1/devices", {
      batchable: true,
      body: input,
      headers: changeSetHeader(changeSetId),
      idempotent: input.clientReference !== undefined,
    });
    return { device: r.body, created: r.status === 201 };
  }

  async device(id: string, changeSetId?: string): Promise<Device | undefined> {
    const r = await this.http.request<Device>("GET", `/v1/devices/${enc(id)}`, {
      batchable: true,
      headers: changeSetHeader(changeSetId),
      accept: [404],
    });
    return r.status === 404 ? undefined : r.body;
  }

  /** Every live device of the account. */
  async devices(): Promise<Device[]> {
    return (await this.http.request<Device[]>("GET", "/v1/devices")).body;
  }

  /** The live devices among `ids` (at most 100); the others do not exist in this account. */
  async devicesByIds(ids: readonly string[]): Promise<Device[]> {
    return (await this.http.request<Device[]>("GET", `/v1/devices?ids=${ids.map(enc).join(",")}`)).body;
  }

  /** Live devices whose client reference is `base` or a later generation of it (`base/g2`, …). */
  async devicesByReferencePrefix(base: string): Promise<Device[]> {
    return (await this.http.request<Device[]>("GET", `/v1/devices?clientReferencePrefix=${enc(base)}`)).body;
  }

  async updateDevice(changeSetId: string, id: string, input: DeviceUpdate, version?: number): Promise<Device> {
    const r = await this.http.request<Device>("PATCH", `/v1/devices/${enc(id)}`, {
      batchable: true,
      body: input,
      headers: { ...changeSetHeader(changeSetId), ...ifMatch(version) },
    });
    return r.body;
  }

  async rotatePassword(changeSetId: string, id: string, version?: number): Promise<DeviceWithPassword> {
    const r = await this.http.request<DeviceWithPassword>("POST", `/v1/devices/${enc(id)}/rotate-password`, {
      batchable: true,
      headers: { ...changeSetHeader(changeSetId), ...ifMatch(version) },
      idempotent: false,
    });
    return r.body;
  }

  async deleteDevice(changeSetId: string, id: string): Promise<"deleted" | "gone"> {
    const r = await this.http.request("DELETE", `/v1/devices/${enc(id)}`, {
      batchable: true,
      headers: changeSetHeader(changeSetId),
      accept: [404],
    });
    return r.status === 404 ? "gone" : "deleted";
  }

  async createUser(changeSetId: string, input: UserCreate): Promise<{ user: User; created: boolean }> {
    const r = await this.http.request<User>("POST", "/v1/users", {
      batchable: true,
      body: input,
      headers: changeSetHeader(changeSetId),
      idempotent: input.clientReference !== undefined,
    });
    return { user: r.body, created: r.status === 201 };
  }

  async user(id: string, changeSetId?: string): Promise<User | undefined> {
    const r = await this.http.request<User>("GET", `/v1/users/${enc(id)}`, {
      batchable: true,
      headers: changeSetHeader(changeSetId),
      accept: [404],
    });
    return r.status === 404 ? undefined : r.body;
  }

  /** Every live user of the account. */
  async users(): Promise<User[]> {
    return (await this.http.request<User[]>("GET", "/v1/users")).body;
  }

  /** The live users among `ids` (at most 100); the others do not exist in this account. */
  async usersByIds(ids: readonly string[]): Promise<User[]> {
    return (await this.http.request<User[]>("GET", `/v1/users?ids=${ids.map(enc).join(",")}`)).body;
  }

  /** Live users whose client reference is `base` or a later generation of it. */
  async usersByReferencePrefix(base: string): Promise<User[]> {
    return (await this.http.request<User[]>("GET", `/v1/users?clientReferencePrefix=${enc(base)}`)).body;
  }

  async updateUser(changeSetId: string, id: string, input: UserUpdate, version?: number): Promise<User> {
    const r = await this.http.request<User>("PATCH", `/v1/users/${enc(id)}`, {
      batchable: true,
      body: input,
      headers: { ...changeSetHeader(changeSetId), ...ifMatch(version) },
    });
    return r.body;
  }

  async linkDevice(changeSetId: string, userId: string, deviceId: string): Promise<User> {
    const r = await this.http.request<User>("POST", `/v1/users/${enc(userId)}/devices`, {
      batchable: true,
      body: { deviceId },
      headers: changeSetHeader(changeSetId),
      idempotent: true,
    });
    return r.body;
  }

  async unlinkDevice(changeSetId: string, userId: string, deviceId: string): Promise<User> {
    const r = await this.http.request<User>("DELETE", `/v1/users/${enc(userId)}/devices/${enc(deviceId)}`, {
      batchable: true,
      headers: changeSetHeader(changeSetId),
    });
    return r.body;
  }

  async deleteUser(changeSetId: string, id: string): Promise<"deleted" | "gone"> {
    const r = await this.http.request("DELETE", `/v1/users/${enc(id)}`, {
      batchable: true,
      headers: changeSetHeader(changeSetId),
      accept: [404],
    });
    return r.status === 404 ? "gone" : "deleted";
  }
}
