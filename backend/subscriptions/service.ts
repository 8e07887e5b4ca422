// Subscriptions: list and read (settling due cancellations first), cancel, reinstate, change call plan.
import { LicenceWrite, licenceOf } from "../configuration/licence-write.ts";
import { holderIn, type Holder } from "./holding.ts";
import { likePrefix } from "../client-reference.ts";
import type { Db, Tx } from "../store/schema.ts";
import type { Clock } from "../clock.ts";
import type { Caller } from "../accounts/caller.ts";
import type {
  Subscription,
  SubscriptionQuery,
  CancelRequestAsSent,
  ReinstateRequest,
} from "../../schemas/subscription.ts";
import type { CallPlanId, ProductId } from "../../schemas/catalogue.ts";
import { lockAccount } from "../accounts/store.ts";
import { ApiError } from "../errors.ts";
import { GroupCommit } from "../store/group-commit.ts";
import { actorOf, writeAudit } from "../audit/store.ts";
import { endOfMonth } from "../month-end.ts";
import { monthlyPrice } from "../catalogue/service.ts";
import { requireCurrentTerms } from "../catalogue/terms.ts";
import { anyDue, holderOf, holdersOf, settleDue, subscriptionView, type SubscriptionRow } from "./store.ts";
import type { LiveCache } from "../configuration/cache.ts";
import type { PostCommit } from "../configuration/post-commit.ts";
import {
  checkVersion,
  requireFound,
  requireReferencesFree,
  validateCallPlanChange,
  validateCancel,
  validateReinstate,
} from "./validator.ts";

interface SubscriptionChange {
  caller: Caller;
  id: string;
  ifVersion: number | undefined;
  action: string;
  /** `holder`: the licence's holder, read once for the whole batch (no change of a batch moves a holder). */
  change: (
    tx: Tx,
    row: SubscriptionRow,
    account: { timeZone: string },
    holder: Holder | null,
  ) => Promise<Partial<SubscriptionRow> | null>;
  /** Recorded in the change's audit entry beside the fields it changed (a cancellation's accepted terms). */
  auditExtra: Record<string, unknown>;
  resolve: (answer: Subscription) => void;
  reject: (error: unknown) => void;
}

export class SubscriptionService {
  private readonly db: Db;
  private readonly changes = new GroupCommit<SubscriptionChange>((accountId, batch) =>
    this.mutateTogether(accountId, batch),
  );
  private readonly clock: Clock;
  private readonly cache: LiveCache;
  private readonly postCommit: PostCommit;
  /** The catalogue's current terms, which every cancellation accepts. */
  private readonly termsVersion: string;
  constructor(deps: { db: Db; clock: Clock; cache: LiveCache; postCommit: PostCommit; termsVersion: string }) {
    this.db = deps.db;
    this.clock = deps.clock;
    this.cache = deps.cache;
    this.postCommit = deps.postCommit;
    this.termsVersion = deps.termsVersion;
  }

  private async settle(accountId: string): Promise<void> {
    const now = this.clock.now();
    // The live cache knows every licence: when none is due, there is nothing to write.
    const cached = this.cache.get(accountId);
    if (cached && !anyDue(cached.ctx.licences.values(), now)) return;
    if ((await settleDue(this.db, accountId, now)) > 0) this.cache.invalidate(accountId);
  }

  async list(caller: Caller, q: SubscriptionQuery): Promise<Subscription[]> {
    const accountId = caller.account.id;
    await this.settle(accountId);
    // The live cache holds every object of the account, and so every holder; without it, the holders
    // come joined in the listing's own statement (never a query of the account's every holder).
    const joinHolders = this.cache.get(accountId) === undefined;
    let sq = this.db
      .selectFrom("subscriptions")
      .selectAll("subscriptions")
      .where("subscriptions.account_id", "=", accountId)
      .$if(joinHolders, (qb) =>
        qb
          .leftJoin("devices", "devices.licence_id", "subscriptions.id")
          .leftJoin("users", "users.licence_id", "subscriptions.id")
          .select([
            "devices.id as holder_device_id",
            "devices.name as holder_device_name",
            "users.id as holder_user_id",
            "users.name as holder_user_name",
          ]),
      );
    if (q.ids !== undefined) sq = sq.where("subscriptions.id", "in", q.ids.split(","));
    if (q.product) sq = sq.where("subscriptions.product", "=", q.product);
    if (q.callPlan) sq = sq.where("subscriptions.call_plan", "=", q.callPlan);
    if (q.status) sq = sq.where("subscriptions.status", "=", q.status);
    if (q.clientReference !== undefined) sq = sq.where("subscriptions.client_reference", "=", q.clientReference);
    if (q.clientReferencePrefix !== undefined)
      sq = sq.where("subscriptions.client_reference", "like", likePrefix(q.clientReferencePrefix));
    const rows = await sq.orderBy("subscriptions.created_at").orderBy("subscriptions.order_position").execute();
    const cached = this.cache.get(accountId);
    // Not joined (the account was cached): the holders come from the cache, or from the store if a write
    // emptied the cache meanwhile.
    const holders =
      !joinHolders && !cached
        ? await holdersOf(this.db, accountId, q.ids !== undefined ? rows.map((r) => r.id) : undefined)
        : null;
    const holderOfRow = (r: (typeof rows)[number]): Holder | null => {
      if (joinHolders) return joinedHolder(r);
      return cached ? holderIn(cached.config, r.id) : (holders?.get(r.id) ?? null);
    };
    return rows
      .map((r) => subscriptionView(r, holderOfRow(r)))
      .filter((s) => q.held === undefined || (s.holder !== null) === (q.held === "true"));
  }

  async get(caller: Caller, id: string): Promise<Subscription> {
    await this.settle(caller.account.id);
    return this.read(this.db, caller.account.id, id);
  }

  /** The seed's removal ends by agreeing to the service terms: a cancellation accepts them like an order. */
  async cancel(
    caller: Caller,
    id: string,
    req: CancelRequestAsSent,
    ifVersion: number | undefined,
  ): Promise<Subscription> {
    requireCurrentTerms(req.termsVersion, this.termsVersion, "a cancellation");
    const accepted = { termsVersion: this.termsVersion };
    return this.mutate(caller, id, ifVersion, "subscription.cancel", accepted, async (_tx, row, account, holder) => {
      validateCancel(row, holder);
      const now = this.clock.now();
      if (req.effective === "immediately")
        return { status: "cancelled", cancellation_effective_at: now, cancelled_at: now };
      if (row.status === "cancellation-scheduled") return null; // already scheduled for this month end
      return {
        status: "cancellation-scheduled",
        cancellation_effective_at: endOfMonth(account.timeZone, now),
        cancelled_at: null,
      };
    });
  }

  async reinstate(caller: Caller, id: string, ifVersion: number, req: ReinstateRequest = {}): Promise<Subscription> {
    return this.mutate(caller, id, ifVersion, "subscription.reinstate", {}, async (tx, row) => {
      validateReinstate(row);
      if (req.clientReference !== undefined)
        await requireReferencesFree(tx, caller.account.id, [req.clientReference], () => "clientReference", row.id);
      const claimedFor = req.clientReference === undefined ? {} : { client_reference: req.clientReference };
      return { status: "active", cancellation_effective_at: null, cancelled_at: null, ...claimedFor };
    });
  }

  async changeCallPlan(
    caller: Caller,
    id: string,
    callPlan: CallPlanId,
    ifVersion: number | undefined,
  ): Promise<Subscription> {
    return this.mutate(caller, id, ifVersion, "subscription.change-call-plan", {}, async (_tx, row) => {
      validateCallPlanChange(row);
      if (row.call_plan === callPlan) return null;
      return { call_plan: callPlan, price_minor: monthlyPrice(row.product as ProductId, callPlan).amountMinor };
    });
  }

  /**
   * One change to one subscription. Changes of one account that arrive while another transaction of it runs
   * share the next one (group commit: a destroy cancels hundreds of licences at once); each is checked and
   * written in arrival order, as if alone, and a refused one fails alone — every refusal comes before its write.
   */
  private mutate(
    caller: Caller,
    id: string,
    ifVersion: number | undefined,
    action: string,
    auditExtra: Record<string, unknown>,
    change: SubscriptionChange["change"],
  ): Promise<Subscription> {
    return new Promise<Subscription>((resolve, reject) => {
      this.changes.submit(caller.account.id, { caller, id, ifVersion, action, change, auditExtra, resolve, reject });
    });
  }

  private async mutateTogether(accountId: string, batch: SubscriptionChange[]): Promise<void> {
    const licences = new LicenceWrite({ cache: this.cache, postCommit: this.postCommit }, accountId);
    const outcomes: { item: SubscriptionChange; answer?: Subscription; error?: unknown }[] = [];
    try {
      await licences.settle(
        this.db.transaction().execute(async (tx) => {
          const account = await lockAccount(tx, accountId);
          licences.take();
          const now = this.clock.now();
          if ((await settleDue(tx, accountId, now)) > 0) licences.drop();
          const holders = await holdersOf(tx, accountId, [...new Set(batch.map((item) => item.id))]);
          for (const item of batch) {
            try {
              const row = requireFound(
                await tx
                  .selectFrom("subscriptions")
                  .selectAll()
                  .where("id", "=", item.id)
                  .where("account_id", "=", accountId)
                  .executeTakeFirst(),
                item.id,
              );
              checkVersion(row, item.ifVersion);
              const holder = holders.get(item.id) ?? null;
              const set = await item.change(tx, row, account, holder);
              if (set !== null)
                await tx
                  .updateTable("subscriptions")
                  .set((eb) => ({ ...set, version: eb("version", "+", 1) }))
                  .where("id", "=", item.id)
                  .execute();
              const after = await this.read(tx, accountId, item.id, holder);
              if (set !== null)
                await writeAudit(tx, actorOf(item.caller), now, item.action, "subscription", item.id, {
                  ...changedFields(set, after),
                  ...item.auditExtra,
                });
              licences.changed([licenceOf(after)]);
              outcomes.push({ item, answer: after });
            } catch (error) {
              if (!(error instanceof ApiError)) throw error;
              outcomes.push({ item, error });
            }
          }
        }),
      );
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    for (const o of outcomes) {
      if (o.answer) o.item.resolve(o.answer);
      else o.item.reject(o.error);
    }
  }

  /** `holder`: already known (a batch reads its holders once); else from the cache or the store. */
  private async read(db: Db, accountId: string, id: string, holder?: Holder | null): Promise<Subscription> {
    const row = requireFound(
      await db
        .selectFrom("subscriptions")
        .selectAll()
        .where("id", "=", id)
        .where("account_id", "=", accountId)
        .executeTakeFirst(),
      id,
    );
    if (holder !== undefined) return subscriptionView(row, holder);
    const cached = db === this.db ? this.cache.get(accountId) : undefined; // inside a transaction: the store
    return subscriptionView(row, cached ? holderIn(cached.config, id) : await holderOf(db, accountId, id));
  }
}

/** The holder a listing joined to its row (a user before a device, as `holdersOf` has it). */
function joinedHolder(r: {
  holder_device_id?: string | null;
  holder_device_name?: string | null;
  holder_user_id?: string | null;
  holder_user_name?: string | null;
}): Holder | null {
  if (r.holder_user_id) return { kind: "user", id: r.holder_user_id, name: r.holder_user_name ?? "" };
  if (r.holder_device_id) return { kind: "device", id: r.holder_device_id, name: r.holder_device_name ?? "" };
  return null;
}

/** The API's name for each column a subscription change writes. */
const apiFieldOfColumn: Partial<Record<keyof SubscriptionRow, keyof Subscription>> = {
  status: "status",
  cancellation_effective_at: "cancellationEffectiveAt",
  cancelled_at: "cancelledAt",
  client_reference: "clientReference",
  call_plan: "callPlan",
  price_minor: "monthlyPrice",
};

/** A change's audit detail: the fields it changed, named and valued as the API shows the subscription after it. */
function changedFields(set: Partial<SubscriptionRow>, after: Subscription): Record<string, unknown> {
  const fields = Object.keys(set).map((column) => apiFieldOfColumn[column as keyof SubscriptionRow] ?? column);
  return Object.fromEntries(fields.map((field) => [field, (after as unknown as Record<string, unknown>)[field]]));
}
