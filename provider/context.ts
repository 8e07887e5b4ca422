/**
 * What the resource hooks work with, passed to them as their first argument: the API, the apply and order
 * batchers shared by every hook of an engine run, the reads, the account the token belongs to, where
 * messages go and the service terms this run accepts. One context serves one engine run (one plugin
 * process), so it is the unit that group commit batches in. `providerContext` builds it on the real HTTP
 * client (the plugin entry, ./index.ts, binds it); `contextOver` builds it over any API, such as a fake in
 * unit tests.
 */
import { ApplyBatcher } from "./apply/batcher.ts";
import { OrderBatcher } from "./apply/order-batcher.ts";
import { ApiError, HttpClient, PbxApi, type ApplyAnswer, type Whoami } from "../api-client/index.ts";
import { resourceReads, type ResourceReads } from "./reads/resource-reads.ts";
import type { StackReadsOptions } from "./reads/stack-reads.ts";
import { logToEngine } from "./engine-log.ts";
import type { Inputs } from "./hook-helpers/inputs.ts";
import { ReferenceIndex } from "./references.ts";
import { pendingLicencesOf, type PendingLicences } from "./subscription/pending.ts";
import type { Device } from "../schemas/device.ts";
import { conflictObjectIds } from "../schemas/problem.ts";
import type { Subscription } from "../schemas/subscription.ts";
import type { User } from "../schemas/user.ts";
import type { Settings } from "./settings.ts";

/**
 * How long one listing of the stack's objects may answer reads (see reads/stack-reads.ts): long enough
 * that a refresh of thousands of resources lists each kind a few times, short enough that what a refresh
 * reports is never older than this.
 */
const LISTING_MAX_AGE_MS = 5_000;

/** Refusals of an apply that another change of the same run may resolve (see ApplyBatcher). */
const ruleConflictCodes = new Set(["extension-taken", "device-link-conflict", "licence-held"]);

/** The calls of the provisioning API that the hooks and their context make. */
export type ProviderApi = Pick<
  PbxApi,
  | "whoami"
  | "order"
  | "subscriptions"
  | "subscription"
  | "cancel"
  | "reinstate"
  | "changeCallPlan"
  | "openChangeSet"
  | "changeSet"
  | "applyChangeSet"
  | "discardChangeSet"
  | "createDevice"
  | "device"
  | "devicesByIds"
  | "devicesByReferencePrefix"
  | "updateDevice"
  | "rotatePassword"
  | "deleteDevice"
  | "createUser"
  | "user"
  | "usersByIds"
  | "usersByReferencePrefix"
  | "updateUser"
  | "linkDevice"
  | "unlinkDevice"
  | "deleteUser"
>;

export interface ProviderContext {
  api: ProviderApi;
  /** Reads of single objects: from a listing of the stack's objects, or by id in batches (reads/resource-reads.ts). */
  reads: ResourceReads;
  /** Licences pending cancellation that a new licence may claim (see subscription/pending.ts). */
  pendingLicences: PendingLicences;
  /** What the stack's earlier runs made, per kind (see references.ts). */
  references: {
    devices: ReferenceIndex<Device>;
    users: ReferenceIndex<User>;
    subscriptions: ReferenceIndex<Subscription>;
  };
  batcher: ApplyBatcher<ApplyAnswer>;
  /** Licence orders, placed together when they arrive together (see apply/order-batcher.ts). */
  orders: OrderBatcher;
  /** The token's account, asked once per context. */
  account(): Promise<Whoami>;
  /** The service terms this run accepts when it cancels; undefined: each licence's recorded terms. */
  acceptTerms: string | undefined;
  /** A message for the user, in the engine's log (see engine-log.ts). Never a secret. */
  log(severity: "info" | "warning", message: string): Promise<void>;
}

/**
 * One kind's hooks that act on the backend, each taking the context it works in; their answers are the
 * dynamic provider's (`pulumi.dynamic.CreateResult` …), typed. A read that answers no id: the object is gone.
 */
export interface ResourceChanges {
  create(ctx: ProviderContext, props: Inputs): Promise<{ id: string; outs: Inputs }>;
  read(ctx: ProviderContext, id: string, props?: Inputs): Promise<{ id?: string; props?: Inputs }>;
  update(ctx: ProviderContext, id: string, olds: Inputs, news: Inputs): Promise<{ outs: Inputs }>;
  delete(ctx: ProviderContext, id: string, props: Inputs): Promise<void>;
}

export interface ContextOptions {
  /** Names the change sets this context opens, for the backend's audit log. */
  changeSetDescription: string;
  /** The writes in flight through the API, which a listing must not be older than (reads/stack-reads.ts). */
  writes: StackReadsOptions["writes"];
  acceptTerms: string | undefined;
  log: ProviderContext["log"];
}

/** A context over `api`: its batchers, reads and indexes are new, shared by every hook given it. */
export function contextOver(api: ProviderApi, options: ContextOptions): ProviderContext {
  const batcher = new ApplyBatcher<ApplyAnswer>({
    open: async () => (await api.openChangeSet(options.changeSetDescription)).id,
    apply: async (id) => {
      try {
        return await api.applyChangeSet(id);
      } catch (error) {
        // An apply whose answer was lost may have happened: the change set says so. Its objects are then
        // not at hand, and each hook reads its own back.
        const set = await api.changeSet(id).catch(() => undefined);
        if (set?.status === "applied" && set.appliedRevision !== null)
          return { revision: set.appliedRevision, changeSetId: id, users: [], devices: [] };
        throw error;
      }
    },
    discard: (id) => api.discardChangeSet(id),
    isRuleConflict: (error) => error instanceof ApiError && error.status === 409 && ruleConflictCodes.has(error.code),
    conflictObjects: (error) => (error instanceof ApiError ? conflictObjectIds(error.problem) : []),
  });
  const orders = new OrderBatcher({
    order: (input, key) => api.order(input, key),
    isRefusal: (error) =>
      error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 429,
  });
  let account: Promise<Whoami> | undefined;
  return {
    api,
    orders,
    reads: resourceReads(api, { writes: options.writes }, { maxAgeMs: LISTING_MAX_AGE_MS }),
    pendingLicences: pendingLicencesOf(api),
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
    acceptTerms: options.acceptTerms,
    log: options.log,
  };
}

/** The plugin's context: the backend `settings` name, over the HTTP client, messages to the engine's log. */
export function providerContext(settings: Settings): ProviderContext {
  // As many requests in flight as the engine runs hooks (the CLI's parallelism), so the backend's group
  // commit sees a whole wave of staged writes at once; still a bound, so a bigger run queues here.
  const http = new HttpClient({
    endpoint: settings.endpoint,
    token: settings.token,
    maxInFlight: 64,
    readDeadlineMs: settings.readTimeoutMs,
    writeDeadlineMs: settings.writeTimeoutMs,
  });
  const context = contextOver(new PbxApi(http), {
    changeSetDescription: `pulumi provider, process ${process.pid}`,
    writes: http.writes,
    acceptTerms: settings.acceptTerms,
    log: logToEngine,
  });
  // Every hook that uses a context needs the account (reads to tell "gone" from a wrong token, writes to
  // record it): ask now, beside the hook's first listing or write, not after it.
  void context.account(); // a rejection is handled inside account(), which asks again at the next call
  return context;
}
