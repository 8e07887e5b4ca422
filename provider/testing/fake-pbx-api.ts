/**
 * A fake of the provisioning API for the hooks' unit tests: the calls the provider makes (ProviderApi),
 * answered from memory, with the backend's behaviour the hooks rely on and nothing more — configuration
 * staged in change sets and live at apply, versions that move with each write (If-Match refused with 412),
 * licences ordered, cancelled at month end against the current terms and reinstated. Every call is
 * recorded in `calls`, so a test can say what reached the backend. The real API is proved end to end in
 * test/provider/.
 */
import type { Whoami } from "../../schemas/account.ts";
import type { ChangeSet } from "../../schemas/change-set.ts";
import type { Device, DeviceCreate, DeviceUpdate, DeviceWithPassword } from "../../schemas/device.ts";
import type { Order, OrderCreate } from "../../schemas/order.ts";
import type { CancelRequestAsSent, Subscription, SubscriptionQuery } from "../../schemas/subscription.ts";
import type { User, UserCreate, UserUpdate } from "../../schemas/user.ts";
import { ApiError } from "../../api-client/index.ts";
import type { ApplyAnswer } from "../../api-client/index.ts";
import { contextOver, type ProviderApi, type ProviderContext } from "../context.ts";

export const FAKE_ACCOUNT: Whoami = {
  accountId: "acc_fakeaccount0001",
  name: "Acme Telecom Ltd",
  timeZone: "Europe/London",
  numbers: ["+442079460000"],
};
export const FAKE_TERMS = "2025-01";
const NOW = "2026-11-14T10:00:00.000Z";
const END_OF_MONTH = "2026-11-30T23:59:59.999Z";
const prices = { "user-licence": 1300, "sip-device-licence": 300 } as const;

interface StagedChangeSet {
  set: ChangeSet;
  /** The staged writes, carried out in order at apply. */
  writes: (() => void)[];
  touchedUsers: Set<string>;
  touchedDevices: Set<string>;
}

const readCalls = new Set([
  "whoami",
  "subscriptions",
  "subscription",
  "changeSet",
  "device",
  "devicesByIds",
  "devicesByReferencePrefix",
  "user",
  "usersByIds",
  "usersByReferencePrefix",
]);
const notFound = (what: string) => new ApiError(`${what} not found`, 404, { code: "not-found" });
const copy = <T>(value: T): T => structuredClone(value);

export class FakePbxApi implements ProviderApi {
  /** Every call, as `method arg…` with ids and change sets left in: what reached the backend. */
  readonly calls: string[] = [];
  /** The writes made so far, as the HTTP client counts them: a listing older than the last write is not used. */
  readonly writes = { started: 0, inFlight: 0 };
  readonly subscriptionsById = new Map<string, Subscription>();
  readonly devicesById = new Map<string, Device>();
  readonly usersById = new Map<string, User>();
  private readonly changeSets = new Map<string, StagedChangeSet>();
  private passwords = new Map<string, string>();
  private revision = 0;
  private nextId = 0;

  private id(prefix: string): string {
    return `${prefix}_fake${String(++this.nextId).padStart(12, "0")}`;
  }

  private record(call: string, ...args: unknown[]): void {
    if (!readCalls.has(call)) this.writes.started++;
    this.calls.push([call, ...args.map((a) => (typeof a === "string" ? a : JSON.stringify(a)))].join(" "));
  }

  // Objects as the backend holds them, for a test's starting point.

  addSubscription(fields: Partial<Subscription> & Pick<Subscription, "product">): Subscription {
    const s: Subscription = {
      id: this.id("sub"),
      version: 1,
      orderId: this.id("ord"),
      clientReference: null,
      callPlan: null,
      status: "active",
      monthlyPrice: { amountMinor: prices[fields.product], currency: "GBP" },
      holder: null,
      createdAt: NOW,
      cancellationEffectiveAt: null,
      cancelledAt: null,
      ...fields,
    };
    this.subscriptionsById.set(s.id, s);
    return copy(s);
  }

  addDevice(fields: Partial<Device> & Pick<Device, "name" | "licenceId">): Device {
    const id = fields.id ?? this.id("dev");
    const d: Device = {
      id,
      version: 1,
      clientReference: null,
      userId: null,
      sipUsername: `s${id.slice(-12)}`,
      passwordFingerprint: this.setPassword(id),
      registrar: { host: "sip.pbx-estate.test", port: 5061, transport: "tls" },
      live: true,
      pending: false,
      pendingChangeSets: [],
      createdAt: NOW,
      updatedAt: NOW,
      ...fields,
    };
    this.devicesById.set(d.id, d);
    return copy(d);
  }

  addUser(fields: Partial<User> & Pick<User, "name" | "extension" | "licenceId">): User {
    const u: User = {
      id: this.id("usr"),
      version: 1,
      clientReference: null,
      callPlan: null,
      areaPrefix: "020",
      outboundCallerId: FAKE_ACCOUNT.numbers[0]!,
      recording: { enabled: false },
      deviceIds: [],
      live: true,
      pending: false,
      pendingChangeSets: [],
      createdAt: NOW,
      updatedAt: NOW,
      ...fields,
    };
    this.usersById.set(u.id, u);
    return copy(u);
  }

  /** The SIP password a device has now (the backend shows only its fingerprint). */
  passwordOf(deviceId: string): string | undefined {
    return this.passwords.get(deviceId);
  }

  /** A new password for `deviceId`, as a rotation in the portal would set it; answers its fingerprint. */
  setPassword(deviceId: string): string {
    const password = `pw-${deviceId}-${++this.nextId}`;
    this.passwords.set(deviceId, password);
    const fingerprint = `sha256:${Buffer.from(password).toString("hex").slice(-16)}`;
    const device = this.devicesById.get(deviceId);
    if (device) device.passwordFingerprint = fingerprint;
    return fingerprint;
  }

  // ProviderApi

  async whoami(): Promise<Whoami> {
    this.record("whoami");
    return copy(FAKE_ACCOUNT);
  }

  async order(input: OrderCreate, idempotencyKey: string): Promise<Order> {
    this.record("order", input, idempotencyKey);
    const subscriptions = input.items.map((item) =>
      this.addSubscription({
        product: item.product,
        callPlan: item.callPlan ?? null,
        clientReference: item.clientReference ?? null,
      }),
    );
    return {
      id: this.id("ord"),
      clientReference: input.clientReference ?? null,
      termsVersion: input.termsVersion,
      createdAt: NOW,
      subscriptions,
    };
  }

  async subscriptions(query: SubscriptionQuery = {}): Promise<Subscription[]> {
    this.record("subscriptions", query);
    const ids = query.ids?.split(",");
    return [...this.subscriptionsById.values()]
      .filter(
        (s) =>
          (!ids || ids.includes(s.id)) &&
          (!query.product || s.product === query.product) &&
          (!query.callPlan || s.callPlan === query.callPlan) &&
          (!query.status || s.status === query.status) &&
          (!query.clientReferencePrefix || s.clientReference?.startsWith(query.clientReferencePrefix) === true),
      )
      .map(copy);
  }

  async subscription(id: string): Promise<Subscription | undefined> {
    this.record("subscription", id);
    const s = this.subscriptionsById.get(id);
    return s && copy(s);
  }

  private write(s: Subscription | undefined, id: string, version: number | undefined): Subscription {
    if (!s) throw notFound(`subscription ${id}`);
    if (version !== undefined && version !== s.version)
      throw new ApiError(`subscription ${id} changed`, 412, { code: "version-mismatch" });
    s.version++;
    return s;
  }

  async cancel(id: string, request: CancelRequestAsSent, version?: number): Promise<Subscription> {
    this.record("cancel", id, request);
    const found = this.subscriptionsById.get(id);
    if (found && request.termsVersion !== FAKE_TERMS) {
      throw new ApiError(`accept the terms ${FAKE_TERMS}`, 409, {
        code: "terms-not-accepted",
        acceptVersion: FAKE_TERMS,
      });
    }
    const s = this.write(found, id, version);
    if (request.effective === "immediately")
      Object.assign(s, { status: "cancelled", cancelledAt: NOW, cancellationEffectiveAt: null });
    else Object.assign(s, { status: "cancellation-scheduled", cancellationEffectiveAt: END_OF_MONTH });
    return copy(s);
  }

  async reinstate(id: string, version: number, claimFor?: string): Promise<Subscription> {
    this.record("reinstate", id, version, ...(claimFor === undefined ? [] : [claimFor]));
    const s = this.write(this.subscriptionsById.get(id), id, version);
    if (s.status !== "cancellation-scheduled")
      throw new ApiError(`subscription ${id} is ${s.status}`, 409, { code: "not-reinstatable" });
    Object.assign(s, {
      status: "active",
      cancellationEffectiveAt: null,
      ...(claimFor === undefined ? {} : { clientReference: claimFor }),
    });
    return copy(s);
  }

  async changeCallPlan(id: string, callPlan: string, version?: number): Promise<Subscription> {
    this.record("changeCallPlan", id, callPlan);
    const s = this.write(this.subscriptionsById.get(id), id, version);
    s.callPlan = callPlan as Subscription["callPlan"];
    return copy(s);
  }

  async openChangeSet(description: string): Promise<ChangeSet> {
    this.record("openChangeSet", description);
    const set: ChangeSet = {
      id: this.id("cs"),
      status: "open",
      description,
      operations: 0,
      createdAt: NOW,
      appliedRevision: null,
    };
    this.changeSets.set(set.id, { set, writes: [], touchedUsers: new Set(), touchedDevices: new Set() });
    return copy(set);
  }

  async changeSet(id: string): Promise<ChangeSet | undefined> {
    this.record("changeSet", id);
    const staged = this.changeSets.get(id);
    return staged && copy(staged.set);
  }

  async applyChangeSet(id: string): Promise<ApplyAnswer> {
    this.record("applyChangeSet", id);
    const staged = this.staged(id);
    for (const write of staged.writes) write();
    staged.set.status = "applied";
    staged.set.appliedRevision = ++this.revision;
    const users = [...staged.touchedUsers].flatMap((u) =>
      this.usersById.has(u) ? [copy(this.usersById.get(u)!)] : [],
    );
    const devices = [...staged.touchedDevices].flatMap((d) =>
      this.devicesById.has(d) ? [copy(this.devicesById.get(d)!)] : [],
    );
    return { revision: this.revision, changeSetId: id, users, devices };
  }

  async discardChangeSet(id: string): Promise<void> {
    this.record("discardChangeSet", id);
    this.staged(id).set.status = "discarded";
  }

  private staged(id: string): StagedChangeSet {
    const staged = this.changeSets.get(id);
    if (staged?.set.status !== "open")
      throw new ApiError(`change set ${id} is not open`, 409, { code: "change-set-closed" });
    return staged;
  }

  private stage(changeSetId: string, touched: { user?: string; device?: string }, write: () => void): void {
    const staged = this.staged(changeSetId);
    staged.writes.push(write);
    staged.set.operations++;
    if (touched.user) staged.touchedUsers.add(touched.user);
    if (touched.device) staged.touchedDevices.add(touched.device);
  }

  private bump<T extends { version: number }>(object: T | undefined, what: string, version: number | undefined): T {
    if (!object) throw notFound(what);
    if (version !== undefined && version !== object.version)
      throw new ApiError(`${what} changed`, 412, { code: "version-mismatch" });
    return object;
  }

  async createDevice(
    changeSetId: string,
    input: DeviceCreate,
  ): Promise<{ device: Device | DeviceWithPassword; created: boolean }> {
    this.record("createDevice", changeSetId, input);
    const id = this.id("dev");
    const fingerprint = this.setPassword(id);
    const device: Device = {
      ...this.template(id, input.name, input.licenceId),
      clientReference: input.clientReference ?? null,
      passwordFingerprint: fingerprint,
    };
    this.stage(changeSetId, { device: id }, () => this.devicesById.set(id, device));
    return { device: { ...copy(device), sipPassword: this.passwords.get(id)! }, created: true };
  }

  private template(id: string, name: string, licenceId: string): Device {
    return {
      id,
      version: 1,
      clientReference: null,
      name,
      licenceId,
      userId: null,
      sipUsername: `s${id.slice(-12)}`,
      passwordFingerprint: "",
      registrar: { host: "sip.pbx-estate.test", port: 5061, transport: "tls" },
      live: true,
      pending: false,
      pendingChangeSets: [],
      createdAt: NOW,
      updatedAt: NOW,
    };
  }

  async device(id: string, changeSetId?: string): Promise<Device | undefined> {
    this.record("device", id, ...(changeSetId ? [changeSetId] : []));
    const d = this.devicesById.get(id);
    return d && copy(d);
  }

  async devicesByIds(ids: readonly string[]): Promise<Device[]> {
    this.record("devicesByIds", ids.join(","));
    return ids.flatMap((id) => (this.devicesById.has(id) ? [copy(this.devicesById.get(id)!)] : []));
  }

  async devicesByReferencePrefix(base: string): Promise<Device[]> {
    this.record("devicesByReferencePrefix", base);
    return [...this.devicesById.values()].filter((d) => d.clientReference?.startsWith(base) === true).map(copy);
  }

  async updateDevice(changeSetId: string, id: string, input: DeviceUpdate, version?: number): Promise<Device> {
    this.record("updateDevice", id, input);
    const d = this.bump(this.devicesById.get(id), `device ${id}`, version);
    this.stage(changeSetId, { device: id }, () => Object.assign(d, input, { version: d.version + 1 }));
    return { ...copy(d), ...input };
  }

  async rotatePassword(changeSetId: string, id: string, version?: number): Promise<DeviceWithPassword> {
    this.record("rotatePassword", id);
    const d = this.bump(this.devicesById.get(id), `device ${id}`, version);
    const password = `pw-${id}-${++this.nextId}`;
    const fingerprint = `sha256:${Buffer.from(password).toString("hex").slice(-16)}`;
    this.stage(changeSetId, { device: id }, () => {
      this.passwords.set(id, password);
      Object.assign(d, { passwordFingerprint: fingerprint, version: d.version + 1 });
    });
    return { ...copy(d), passwordFingerprint: fingerprint, sipPassword: password };
  }

  async deleteDevice(changeSetId: string, id: string): Promise<"deleted" | "gone"> {
    this.record("deleteDevice", id);
    if (!this.devicesById.has(id)) return "gone";
    this.stage(changeSetId, { device: id }, () => this.devicesById.delete(id));
    return "deleted";
  }

  async createUser(changeSetId: string, input: UserCreate): Promise<{ user: User; created: boolean }> {
    this.record("createUser", changeSetId, input);
    const id = this.id("usr");
    const { deviceIds = [], clientReference, callPlan, ...fields } = input;
    const user: User = {
      id,
      version: 1,
      clientReference: clientReference ?? null,
      callPlan: callPlan ?? null,
      deviceIds: [...deviceIds],
      live: true,
      pending: false,
      pendingChangeSets: [],
      createdAt: NOW,
      updatedAt: NOW,
      ...fields,
      recording: fields.recording ?? { enabled: false },
    };
    this.stage(changeSetId, { user: id }, () => this.usersById.set(id, user));
    return { user: copy(user), created: true };
  }

  async user(id: string, changeSetId?: string): Promise<User | undefined> {
    this.record("user", id, ...(changeSetId ? [changeSetId] : []));
    const u = this.usersById.get(id);
    return u && copy(u);
  }

  async usersByIds(ids: readonly string[]): Promise<User[]> {
    this.record("usersByIds", ids.join(","));
    return ids.flatMap((id) => (this.usersById.has(id) ? [copy(this.usersById.get(id)!)] : []));
  }

  async usersByReferencePrefix(base: string): Promise<User[]> {
    this.record("usersByReferencePrefix", base);
    return [...this.usersById.values()].filter((u) => u.clientReference?.startsWith(base) === true).map(copy);
  }

  async updateUser(changeSetId: string, id: string, input: UserUpdate, version?: number): Promise<User> {
    this.record("updateUser", id, input);
    const u = this.bump(this.usersById.get(id), `user ${id}`, version);
    this.stage(changeSetId, { user: id }, () => Object.assign(u, input, { version: u.version + 1 }));
    return { ...copy(u), ...input };
  }

  async linkDevice(changeSetId: string, userId: string, deviceId: string): Promise<User> {
    this.record("linkDevice", userId, deviceId);
    const u = this.bump(this.usersById.get(userId), `user ${userId}`, undefined);
    this.stage(changeSetId, { user: userId }, () =>
      Object.assign(u, { deviceIds: [...u.deviceIds, deviceId], version: u.version + 1 }),
    );
    return copy(u);
  }

  async unlinkDevice(changeSetId: string, userId: string, deviceId: string): Promise<User> {
    this.record("unlinkDevice", userId, deviceId);
    const u = this.bump(this.usersById.get(userId), `user ${userId}`, undefined);
    this.stage(changeSetId, { user: userId }, () =>
      Object.assign(u, { deviceIds: u.deviceIds.filter((d) => d !== deviceId), version: u.version + 1 }),
    );
    return copy(u);
  }

  async deleteUser(changeSetId: string, id: string): Promise<"deleted" | "gone"> {
    this.record("deleteUser", id);
    if (!this.usersById.has(id)) return "gone";
    this.stage(changeSetId, { user: id }, () => this.usersById.delete(id));
    return "deleted";
  }
}

/** What a fake context said to the engine's log. */
export interface FakeContext {
  ctx: ProviderContext;
  api: FakePbxApi;
  logged: string[];
}

/**
 * The hooks' context over a FakePbxApi, as the plugin builds it over the real one: one engine run (pass the
 * same `api` for the next run); `acceptTerms` as the run's.
 */
export function fakeContext(options: { api?: FakePbxApi; acceptTerms?: string } = {}): FakeContext {
  const api = options.api ?? new FakePbxApi();
  const logged: string[] = [];
  const ctx = contextOver(api, {
    changeSetDescription: "unit test",
    writes: api.writes,
    acceptTerms: options.acceptTerms,
    log: async (severity, message) => {
      logged.push(`${severity}: ${message}`);
    },
  });
  return { ctx, api, logged };
}
