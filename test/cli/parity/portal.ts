/** The backend's API as a portal admin uses it: what the out-of-band changes and the hand-built accounts call. */
import type { Device, DeviceWithPassword } from "../../../schemas/device.ts";
import type { Subscription } from "../../../schemas/subscription.ts";
import type { User } from "../../../schemas/user.ts";
import { TERMS } from "../../provider/harness.ts";

export interface LiveAccount {
  users: User[];
  devices: Device[];
  subscriptions: Subscription[];
}

export class Portal {
  readonly url: string;
  readonly token: string;

  constructor(url: string, token: string) {
    this.url = url;
    this.token = token;
  }

  async call<T>(method: string, path: string, body?: unknown, version?: number): Promise<T> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(version === undefined ? {} : { "if-match": `"${version}"` }),
      },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`portal: ${method} ${path} → ${res.status} ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  }

  async live(): Promise<LiveAccount> {
    const [users, devices, subscriptions] = await Promise.all([
      this.call<User[]>("GET", "/v1/users"),
      this.call<Device[]>("GET", "/v1/devices"),
      this.call<Subscription[]>("GET", "/v1/subscriptions"),
    ]);
    return { users, devices, subscriptions };
  }

  /** Orders licences: one per item, in the items' order. */
  async order(items: { product: "user-licence" | "sip-device-licence"; callPlan?: string }[]): Promise<Subscription[]> {
    const answer = await this.call<{ subscriptions: Subscription[] }>("POST", "/v1/orders", {
      termsVersion: TERMS,
      items,
    });
    return answer.subscriptions;
  }

  cancel(licenceId: string, effective: "end-of-month" | "immediately"): Promise<Subscription> {
    return this.call("POST", `/v1/subscriptions/${licenceId}/cancel`, { effective, termsVersion: TERMS });
  }

  async reinstate(licenceId: string): Promise<Subscription> {
    const licence = await this.call<Subscription>("GET", `/v1/subscriptions/${licenceId}`);
    return this.call("POST", `/v1/subscriptions/${licenceId}/reinstate`, {}, licence.version);
  }

  createDevice(name: string, licenceId: string): Promise<DeviceWithPassword> {
    return this.call("POST", "/v1/devices", { name, licenceId });
  }

  createUser(body: Record<string, unknown>): Promise<User> {
    return this.call("POST", "/v1/users", body);
  }

  updateUser(id: string, body: Record<string, unknown>): Promise<User> {
    return this.call("PATCH", `/v1/users/${id}`, body);
  }

  link(userId: string, deviceId: string): Promise<User> {
    return this.call("POST", `/v1/users/${userId}/devices`, { deviceId });
  }

  unlink(userId: string, deviceId: string): Promise<unknown> {
    return this.call("DELETE", `/v1/users/${userId}/devices/${deviceId}`);
  }
}
