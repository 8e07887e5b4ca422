/**
 * Per-process provider state, built on first use inside the dynamic-provider plugin: the HTTP client and
 * its pool, the API, the apply batcher shared by every hook of this engine run, and the account the token
 * belongs to. One plugin process serves one engine run, so this is the unit that group commit batches in.
 */
import { ApplyBatcher } from "./apply/batcher.ts";
import { OrderBatcher } from "./apply/order-batcher.ts";
import { ApiError } from "./client/errors.ts";
import { HttpClient } from "./client/http.ts";
import { PbxApi, type ApplyAnswer, type Whoami } from "./client/pbx-api.ts";
import { resourceReads, type ResourceReads } from "./client/resource-reads.ts";
import { ReferenceIndex } from "./references.ts";
import { PendingLicences } from "./subscription/pending.ts";
import type { Device } from "../schemas/device.ts";
import type { Subscription } from "../schemas/subscription.ts";
import type { User } from "../schemas/user.ts";
import { configuredSettings } from "./configuration.ts";
import type { Settings } from "./settings.ts";

/**
 * How long one listing of the stack's objects may answer reads (see client/stack-reads.ts): long enough
 * that a refresh of thousands of resources lists each kind a few times, short enough that what a refresh
 * reports is never older than this.
 */
const LISTING_MAX_AGE_MS = 5_000;

/** Refusals of an apply that another change of the same run may resolve (see ApplyBatcher). */
const ruleConflictCodes = new Set(["extension-taken", "device-link-conflict", "licence-held"]);

export interface ProviderContext {
  api: PbxApi;
  /** Reads of single objects: from a listing of the stack's objects, or by id in batches (client/resource-reads.ts). */
  reads: ResourceReads;
  /** Licences pending cancellation that a new licence may claim (see subscription/pending.ts). */
  pendingLicences: PendingLicences;
  /** What the stack's earlier runs made, per kind (see references.ts). */
  references: { devices: ReferenceIndex<Device>; users: ReferenceIndex<User>; subscriptions: ReferenceIndex<Subscription> };
  batcher: ApplyBatcher<ApplyAnswer>;
  /** Licence orders, placed together when they arrive together (see apply/order-batcher.ts). */
  orders: OrderBatcher;
  /** The token's account, asked once per process. */
  account(): Promise<Whoami>;
}

let current: { context: ProviderContext; settings: Settings } | undefined;

export function providerContext(): ProviderContext {
  const settings = configuredSettings();
  if (current && current.settings.endpoint === settings.endpoint && current.settings.token === settings.token) return current.context;
  // As many requests in flight as the engine runs hooks (the CLI's parallelism), so the backend's group
  // commit sees a whole wave of staged writes at once; still a bound, so a bigger run queues here.
  const http = new HttpClient({
    endpoint: settings.endpoint,
    token: settings.token,
    maxInFlight: 64,
    readDeadlineMs: settings.readTimeoutMs,
    writeDeadlineMs: settings.writeTimeoutMs,
  });
  const api = new PbxApi(http);
  const batcher = new ApplyBatcher<ApplyAnswer>({
    open: async () => (await api.openChangeSet(`pulumi provider, process ${process.pid}`)).id,
    apply: async (id) => {
      try {
        return await api.applyChangeSet(id);
      } catch (error) {
        // An apply whose answer was lost may have happened: the change set says so. Its objects are then
        // not at hand, and each hook reads its own back.
        const set = await api.changeSet(id).catch(() => undefined);
        if (set?.status === "applied" && set.appliedRevision !== null) return { revision: set.appliedRevision, changeSetId: id, users: [], devices: [] };
        throw error;
      }
    },
    discard: (id) => api.discardChangeSet(id),
    isRuleConflict: (error) => error instanceof ApiError && error.status === 409 && ruleConflictCodes.has(error.code),
  });
  const orders = new OrderBatcher({
    order: (input, key) => api.order(input, key),
    isRefusal: (error) => error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 429,
  });
  let account: Promise<Whoami> | undefined;
  const context: ProviderContext = {
    api,
    orders,
    reads: resourceReads(api, http, { maxAgeMs: LISTING_MAX_AGE_MS }),
    pendingLicences: new PendingLicences((product, callPlan) =>
      api.subscriptions({ product, status: "cancellation-scheduled", ...(callPlan ? { callPlan } : {}) }),
    ),
    references: {
      devices: new ReferenceIndex((prefix) => api.devicesByReferencePrefix(prefix)),
      users: new ReferenceIndex((prefix) => api.usersByReferencePrefix(prefix)),
      subscriptions: new ReferenceIndex((prefix) => api.subscriptions({ clientReferencePrefix: prefix })),
    },
    batcher,
    account: () => {
      account ??= api.whoami();
      account.catch(() => (account = undefined));
      return account;
    },
  };
  current = { context, settings };
  // Every hook that makes a context needs the account (reads to tell "gone" from a wrong token, writes to
  // record it): ask now, beside the hook's first listing or write, not after it.
  void context.account(); // a rejection is handled inside account(), which asks again at the next call
  return context;
}
