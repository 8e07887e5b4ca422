/**
 * The backend with its own registrar: `startBackend({ registrar: { dataDir, trunk } })` starts a real Kamailio on
 * loopback and publishes every applied revision to it through the outbox. The returned object is also a provider
 * `TestBackend`, so `estateEngine` (test/provider/harness.ts) can point the real engine at it. sipp helpers come
 * from test/registrar/.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { startBackend, type BackendOptions } from "../../backend/server.ts";
import { TERMS_VERSION } from "../../backend/catalogue/service.ts";
import { openRegistrarStore, registeredContacts } from "../../registrar/index.ts";
import type { RegistrarStore, RunningRegistrar } from "../../registrar/index.ts";
import type { TestBackend } from "../provider/harness.ts";
import { NUMBERS } from "../provider/harness.ts";
import { eventually } from "../registrar/sipp.ts";

export { NUMBERS };

export interface EstateBackend extends TestBackend {
  /** The Kamailio the backend started: where handsets register. */
  registrar: RunningRegistrar;
  /** A scratch folder for sipp's logs. */
  dir: string;
  /** Waits until the registrar holds `revision` (or a later one) of this account. */
  published(revision: number): Promise<void>;
  registrarRevision(): Promise<number | null>;
  /** `call` with extra headers (Pbx-Change-Set). */
  request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: T }>;
  contacts(username: string): Promise<string[]>;
  /** Orders licences and answers their ids: user licences first (one per call plan given), then device licences. */
  licences(
    userPlans: ("pay-as-you-go" | "national-unlimited" | "international")[],
    devices: number,
  ): Promise<{ users: string[]; devices: string[] }>;
}

export interface EstateBackendOptions {
  trunkPort?: number;
  /** The account's time zone (default Europe/London). */
  timeZone?: string;
  /** Call recording (the relay's RTP ports, the worker's sweep): startBackend's `recording`. */
  recording?: BackendOptions["recording"];
  /** The SMTP relay recordings are mailed through: startBackend's `mail`. */
  mail?: BackendOptions["mail"];
}

export async function startEstateBackend(options: EstateBackendOptions = {}): Promise<EstateBackend> {
  const dir = mkdtempSync(join(tmpdir(), "pbx-registrar-e2e-"));
  let logs = "";
  const logDestination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs += chunk.toString();
      done();
    },
  });
  const backend = await startBackend({
    store: { kind: "embedded", dataDir: null },
    testHooks: { clock: true, faults: true },
    clockStart: new Date("2026-11-14T10:00:00Z"),
    rateLimit: null,
    logDestination,
    logLevel: "info",
    registrar: {
      dataDir: join(dir, "registrar"),
      ...(options.trunkPort !== undefined ? { trunk: { host: "127.0.0.1", port: options.trunkPort } } : {}),
    },
    ...(options.recording !== undefined ? { recording: options.recording } : {}),
    ...(options.mail !== undefined ? { mail: options.mail } : {}),
  });
  const registrar = backend.registrar;
  if (!registrar) throw new Error("the backend did not start a registrar");
  const { accountId, token } = await backend.createAccount({
    name: "Acme Telecom Ltd",
    timeZone: options.timeZone ?? "Europe/London",
    numbers: NUMBERS,
  });
  // A reader of the registrar's tables, as a second connection (the test's view, not the publisher's).
  const reader: RegistrarStore = await openRegistrarStore(registrar.database, { realm: registrar.realm });
  const request = async <T>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    as = token,
  ) => {
    const res = await fetch(`${backend.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${as}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...(path.startsWith("/__test/") ? { "pbx-test-token": backend.testHooksToken ?? "" } : {}),
        ...headers,
      },
      body: body === undefined ? null : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  };
  const call = <T>(method: string, path: string, body?: unknown, as = token) => request<T>(method, path, body, {}, as);
  return {
    backend,
    url: backend.url,
    token,
    accountId,
    registrar,
    dir,
    logs: () => logs,
    call,
    request,
    setClock: async (iso) => {
      const r = await call("PUT", "/__test/clock", { now: iso });
      if (r.status !== 200) throw new Error(`clock: ${r.status}`);
    },
    faults: async (rules) => {
      const r = await call("PUT", "/__test/faults", rules);
      if (r.status !== 200) throw new Error(`faults: ${r.status} ${JSON.stringify(r.body)}`);
    },
    registrarRevision: () => reader.revision(),
    published: async (revision) => {
      await eventually(
        async () => ((await reader.revision()) ?? -1) >= revision || undefined,
        `registrar revision ${revision}`,
        15_000,
      );
    },
    contacts: (username) => registeredContacts(registrar.ctlSocket, username),
    licences: async (userPlans, devices) => {
      const items = [
        ...userPlans.map((callPlan) => ({ product: "user-licence", callPlan })),
        ...Array.from({ length: devices }, () => ({ product: "sip-device-licence" })),
      ];
      const r = await call<{ subscriptions: { id: string }[] }>("POST", "/v1/orders", {
        termsVersion: TERMS_VERSION,
        items,
      });
      if (r.status !== 201) throw new Error(`order: ${r.status} ${JSON.stringify(r.body)}`);
      const ids = r.body.subscriptions.map((s) => s.id);
      return { users: ids.slice(0, userPlans.length), devices: ids.slice(userPlans.length) };
    },
    [Symbol.asyncDispose]: async () => {
      await reader.close();
      await backend.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ApiDevice {
  id: string;
  sipUsername: string;
  sipPassword: string;
  registrar: { host: string; port: number; transport: string };
}

/** Creates a device (applied at once unless `changeSet` names one); answers it with its password. */
export async function createDevice(
  b: EstateBackend,
  name: string,
  licenceId: string,
  changeSet?: string,
): Promise<ApiDevice> {
  const r = await b.request<ApiDevice>(
    "POST",
    "/v1/devices",
    { name, licenceId },
    changeSet ? { "pbx-change-set": changeSet } : {},
  );
  if (r.status !== 201) throw new Error(`device: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Creates a user linked to `deviceIds` (applied at once; recording off unless given); answers its id. */
export async function createUser(
  b: EstateBackend,
  u: {
    name: string;
    extension: string;
    licenceId: string;
    areaPrefix: string;
    outboundCallerId: string;
    recording?: { enabled: true; email: string; subject: string };
  },
  deviceIds: string[],
): Promise<string> {
  const r = await b.call<{ id: string }>("POST", "/v1/users", { recording: { enabled: false }, ...u });
  if (r.status !== 201) throw new Error(`user: ${r.status} ${JSON.stringify(r.body)}`);
  for (const deviceId of deviceIds) {
    const l = await b.call("POST", `/v1/users/${r.body.id}/devices`, { deviceId });
    if (l.status !== 200) throw new Error(`link: ${l.status} ${JSON.stringify(l.body)}`);
  }
  return r.body.id;
}

/** The account's current revision, from the API. */
export async function currentRevision(b: EstateBackend): Promise<number> {
  const r = await b.call<{ revision: number }[]>("GET", "/v1/revisions");
  return Math.max(0, ...r.body.map((x) => x.revision));
}
