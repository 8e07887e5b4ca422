// Save and apply. Every configuration write goes through here: staged into the caller's change set when it
// names one (Pbx-Change-Set), otherwise applied at once as a one-operation revision.
import type { Compilable } from "kysely";
import type { Db, Tx } from "../store/schema.ts";
import type { Clock } from "../clock.ts";
import { lockAccount } from "../accounts/store.ts";
import type { Caller } from "../accounts/caller.ts";
import { auditInsert, auditInsertMany, writeAudit, type AuditRecord } from "../audit/store.ts";
import { runBatch } from "../store/batch.ts";
import { GroupCommit } from "../store/group-commit.ts";
import { newId } from "../ids.ts";
import type { Config, Context } from "../configuration/model.ts";
import { applyOp, replay, touchedBy, type Op } from "../configuration/operations.ts";
import { ApiError } from "../errors.ts";
import { addPending, loadConfig, loadContext, loadOpenChangeSets, loadOps, loadPending, pendingOf, persistConfig } from "../configuration/store.ts";
import { anyDue, settleDue } from "../subscriptions/store.ts";
import type { LiveCache, LiveEntry, OpenChangeSet } from "../configuration/cache.ts";
import { openChangeSetOf } from "./validator.ts";
import { appendOpsQuery, insertChangeSet, listChangeSets, listRevisions } from "./store.ts";
import type { RevisionNotifier } from "./notifier.ts";
import { outboxInsert } from "../outbox/store.ts";
import type { ChangeSet } from "../../schemas/change-set.ts";

/** What a write produced: the configuration after it (live, or the change set's projection), and where. */
export interface WriteResult<T> {
  config: Config;
  ctx: Context;
  pending: Map<string, string[]>;
  revision: number | null; // set when applied at once
  changeSetId: string | null; // set when staged
  value: T;
}

/** An applied change set: its revision and the live configuration right after it, with the objects it touched. */
export interface Applied {
  revision: number;
  changeSetId: string;
  config: Config;
  ctx: Context;
  pending: Map<string, string[]>;
  /** Users and devices the change set's operations named (some may be gone: deleted by it). */
  touched: { users: string[]; devices: string[] };
}

/** Decides the operation from the current view, or answers without writing (e.g. a clientReference already used). */
export type Planner<T> = (view: Config, ctx: Context) => { op: Op; value: T; then?: Op[] } | { existing: T };

interface StagedWrite {
  caller: Caller;
  changeSetId: string;
  plan: Planner<unknown>;
  resolve: (result: WriteResult<unknown>) => void;
  reject: (error: unknown) => void;
}

function actor(caller: Caller): { accountId: string; tokenId: string; requestId: string } {
  return { accountId: caller.account.id, tokenId: caller.tokenId, requestId: caller.requestId };
}

export class ChangeSetService {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly notifier: RevisionNotifier;
  private readonly cache: LiveCache;
  /** Staged writes of one change set share transactions (see `stage`). */
  private readonly staging = new GroupCommit<StagedWrite>((_key, batch) => this.stageTogether(batch));
  constructor(deps: { db: Db; clock: Clock; notifier: RevisionNotifier; cache: LiveCache }) {
    this.db = deps.db;
    this.clock = deps.clock;
    this.notifier = deps.notifier;
    this.cache = deps.cache;
  }

  /**
   * The account and its live state inside a write transaction, and the cache generation to install under.
   * A cached entry left by a writer is current (see cache.ts) and spares the account lock: only the embedded
   * store caches, and its single connection already serializes transactions. Otherwise: lock, settle, load.
   */
  private async liveIn(tx: Tx, accountId: string, now: Date): Promise<Required<LiveEntry> & { generation: number }> {
    const cached = this.cache.get(accountId);
    this.cache.invalidate(accountId);
    const generation = this.cache.generation(accountId);
    if (cached?.account && cached.openChangeSets && !anyDue(cached.ctx.licences.values(), now))
      return { ...cached, account: cached.account, openChangeSets: cached.openChangeSets, generation };
    const account = await lockAccount(tx, accountId);
    await settleDue(tx, accountId, now);
    const config = await loadConfig(tx, accountId);
    const ctx = await loadContext(tx, accountId, account.numbers);
    const openChangeSets = await loadOpenChangeSets(tx, accountId);
    return { config, ctx, pending: pendingOf(openChangeSets), openChangeSets, account: { numbers: account.numbers, revision: account.revision }, generation };
  }

  /** The caller's open change set from the live state, or the store's precise refusal (unknown, not yours, closed). */
  private async openOf(tx: Tx, live: { openChangeSets: ReadonlyMap<string, OpenChangeSet> }, caller: Caller, changeSetId: string): Promise<OpenChangeSet> {
    const open = live.openChangeSets.get(changeSetId);
    if (open && open.tokenId === caller.tokenId) return open;
    await openChangeSetOf(tx, caller.account.id, caller.tokenId, changeSetId); // throws the refusal
    throw new Error(`change set ${changeSetId} is open in the store but not in the loaded state`);
  }

  /** A newly opened change set joins the cached state, so staging into it needs no load. */
  private trackOpened(accountId: string, changeSetId: string, tokenId: string): void {
    const entry = this.cache.get(accountId);
    if (entry?.openChangeSets) this.cache.set(accountId, { ...entry, openChangeSets: new Map(entry.openChangeSets).set(changeSetId, { tokenId, ops: [] }) });
    else this.cache.invalidate(accountId); // a writer holding the entry must not reinstall it without this set
  }

  async open(caller: Caller, description: string | null): Promise<ChangeSet> {
    const id = newId("cs");
    const now = this.clock.now();
    await insertChangeSet(this.db, { id, accountId: caller.account.id, tokenId: caller.tokenId, description, now });
    this.trackOpened(caller.account.id, id, caller.tokenId);
    return { id, status: "open", description, operations: 0, createdAt: now.toISOString(), appliedRevision: null };
  }

  async get(caller: Caller, id: string): Promise<ChangeSet | undefined> {
    return (await listChangeSets(this.db, caller.account.id)).find((c) => c.id === id);
  }

  list(caller: Caller, status?: string): Promise<ChangeSet[]> {
    return listChangeSets(this.db, caller.account.id, status);
  }

  revisions(caller: Caller): ReturnType<typeof listRevisions> {
    return listRevisions(this.db, caller.account.id);
  }

  async discard(caller: Caller, id: string): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      await lockAccount(tx, caller.account.id);
      this.cache.invalidate(caller.account.id);
      await openChangeSetOf(tx, caller.account.id, caller.tokenId, id);
      await tx.updateTable("change_sets").set({ status: "discarded" }).where("id", "=", id).execute();
      await writeAudit(tx, actor(caller), this.clock.now(), "change-set.discard", "change-set", id, {});
    });
    this.cache.invalidate(caller.account.id);
  }

  /** The configuration a reader sees: live, or live with the caller's change set replayed on top. */
  async view(caller: Caller, changeSetId: string | null, only?: string): Promise<{ config: Config; ctx: Context; pending: Map<string, string[]> }> {
    const accountId = caller.account.id;
    if (changeSetId === null) {
      const cached = this.cache.get(accountId);
      if (cached && !anyDue(cached.ctx.licences.values(), this.clock.now())) return cached;
      const generation = this.cache.generation(accountId);
      const scope = this.cache.enabled ? undefined : only; // a cached entry must hold the whole account
      const entry = await this.db.transaction().execute(async (tx) => ({
        config: await loadConfig(tx, accountId, scope),
        ctx: await loadContext(tx, accountId, caller.account.numbers),
        pending: await loadPending(tx, accountId, scope),
      }));
      if (!anyDue(entry.ctx.licences.values(), this.clock.now())) this.cache.setIfUnchanged(accountId, generation, entry);
      return entry;
    }
    const cached = this.cache.get(accountId);
    const open = cached?.openChangeSets?.get(changeSetId);
    if (cached && open?.tokenId === caller.tokenId && !anyDue(cached.ctx.licences.values(), this.clock.now()))
      return { config: replay(cached.config, cached.ctx, open.ops, false), ctx: cached.ctx, pending: cached.pending };
    await openChangeSetOf(this.db, accountId, caller.tokenId, changeSetId);
    const live = await loadConfig(this.db, accountId);
    const ctx = await loadContext(this.db, accountId, caller.account.numbers);
    const ops = await loadOps(this.db, changeSetId);
    const pending = await loadPending(this.db, accountId);
    return { config: replay(live, ctx, ops, false), ctx, pending };
  }

  /** One configuration write: staged when `changeSetId` is set, else applied at once as a new revision. */
  async write<T>(caller: Caller, changeSetId: string | null, plan: Planner<T>): Promise<WriteResult<T>> {
    if (changeSetId !== null) return this.stage(caller, changeSetId, plan);
    const accountId = caller.account.id;
    let published: { revision: number; changed: string[] } | null = null;
    let install: { entry: LiveEntry; generation: number } | null = null;
    const result = await this.db.transaction().execute(async (tx): Promise<WriteResult<T>> => {
      const now = this.clock.now();
      const current = await this.liveIn(tx, accountId, now);
      const { config: live, ctx, account } = current;
      const planned = plan(live, ctx);
      if ("existing" in planned) {
        install = { entry: current, generation: current.generation };
        return { config: live, ctx, pending: current.pending, revision: null, changeSetId: null, value: planned.existing };
      }
      const applied = [planned.op, ...(planned.then ?? [])];
      const after = replay(live, ctx, applied, true);
      const revision = await this.commitRevision(tx, caller, live, after, now, null, applied.length, account.revision, (rev) =>
        applied.map((op) => auditInsert(tx, actor(caller), now, op.op, op.op.split(".")[0] ?? "", op.id, { revision: rev, op })),
      );
      published = revision;
      install = {
        entry: { config: after, ctx, pending: current.pending, openChangeSets: current.openChangeSets, account: { numbers: account.numbers, revision: revision.revision } },
        generation: current.generation,
      };
      return { config: after, ctx, pending: current.pending, revision: revision.revision, changeSetId: null, value: planned.value };
    });
    // After commit only, and only if no other transaction touched the account since this one began.
    if (install) {
      const { entry, generation } = install as { entry: LiveEntry; generation: number };
      this.cache.setIfUnchanged(accountId, generation, entry);
    }
    if (published) this.notifier.published({ accountId, ...(published as { revision: number; changed: string[] }) });
    return result;
  }

  /**
   * Staged writes into one change set are written together (group commit): the first goes at once, and
   * those that arrive while a transaction is running wait and share the next one. Each is planned in
   * arrival order against the change set's projection so far, exactly as if written one by one; one
   * refused write fails alone. The answer shows the change set's projection after the shared transaction.
   */
  private stage<T>(caller: Caller, changeSetId: string, plan: Planner<T>): Promise<WriteResult<T>> {
    return new Promise<WriteResult<T>>((resolve, reject) => {
      const item: StagedWrite = { caller, changeSetId, plan, resolve: resolve as (r: WriteResult<unknown>) => void, reject };
      this.staging.submit(`${caller.account.id}/${caller.tokenId}/${changeSetId}`, item);
    });
  }

  private async stageTogether(batch: StagedWrite[]): Promise<void> {
    const first = batch[0]!.caller; // every write of a batch has the same account, token and change set (the key)
    const changeSetId = batch[0]!.changeSetId;
    const accountId = first.account.id;
    let install: { entry: LiveEntry; generation: number } | null = null;
    const outcomes: { item: StagedWrite; value?: unknown; error?: unknown }[] = [];
    try {
      const view = await this.db.transaction().execute(async (tx) => {
        const now = this.clock.now();
        const current = await this.liveIn(tx, accountId, now);
        const { config: live, ctx, account } = current;
        const { ops } = await this.openOf(tx, current, first, changeSetId);
        // One copy of the configuration per batch, changed in place write by write (a copy per write would
        // cost the whole account each time); rebuilt from the staged operations only after a refusal.
        let projected = replay(live, ctx, ops, false);
        const stagedSoFar: Op[] = [];
        const audit: AuditRecord[] = [];
        for (const item of batch) {
          let planned: ReturnType<Planner<unknown>>;
          let itemOps: Op[];
          try {
            planned = item.plan(projected, ctx);
            if ("existing" in planned) {
              outcomes.push({ item, value: planned.existing });
              continue;
            }
            itemOps = [planned.op, ...(planned.then ?? [])];
            for (const op of itemOps) applyOp(projected, ctx, op);
          } catch (error) {
            if (!(error instanceof ApiError)) throw error;
            projected = replay(live, ctx, [...ops, ...stagedSoFar], false); // as before this write
            outcomes.push({ item, error });
            continue;
          }
          for (const op of itemOps) {
            audit.push({ actor: actor(item.caller), at: now, action: `stage:${op.op}`, objectKind: op.op.split(".")[0] ?? "", objectId: op.id, detail: { changeSetId, op } });
            stagedSoFar.push(op);
          }
          outcomes.push({ item, value: planned.value });
        }
        // The whole batch is one statement: on the embedded store each statement costs about a millisecond.
        if (stagedSoFar.length > 0) await runBatch(tx, [appendOpsQuery(tx, changeSetId, ops.length + 1, stagedSoFar), auditInsertMany(tx, audit)]);
        const pending = new Map(current.pending);
        addPending(pending, changeSetId, stagedSoFar);
        const openChangeSets = new Map(current.openChangeSets).set(changeSetId, { tokenId: first.tokenId, ops: [...ops, ...stagedSoFar] });
        // Staging leaves the live configuration as it was: the entry stays valid with the new pending map.
        install = { entry: { config: live, ctx, pending, account, openChangeSets }, generation: current.generation };
        return { config: projected, ctx, pending };
      });
      if (install) {
        const { entry, generation } = install as { entry: LiveEntry; generation: number };
        this.cache.setIfUnchanged(accountId, generation, entry);
      }
      for (const o of outcomes) {
        if (o.error !== undefined) o.item.reject(o.error);
        else o.item.resolve({ ...view, revision: null, changeSetId, value: o.value });
      }
    } catch (error) {
      for (const item of batch) item.reject(error);
    }
  }

  /** Makes one change set live atomically; checks the live-configuration rules on the result. */
  async apply(caller: Caller, changeSetId: string): Promise<Applied> {
    const accountId = caller.account.id;
    let published: { revision: number; changed: string[] } | null = null;
    let install: { entry: LiveEntry; generation: number } | null = null;
    const out = await this.db
      .transaction()
      .execute(async (tx) => {
        const now = this.clock.now();
        // Takes (and invalidates) the cached entry, or loads it under the account lock.
        const current = await this.liveIn(tx, accountId, now);
        const { ops } = await this.openOf(tx, current, caller, changeSetId);
        let revision = current.account.revision;
        let config = current.config;
        if (ops.length > 0) {
          const after = replay(current.config, current.ctx, ops, true);
          const r = await this.commitRevision(tx, caller, current.config, after, now, changeSetId, ops.length, revision, (next) => [
            tx.updateTable("change_sets").set({ status: "applied", applied_revision: next }).where("id", "=", changeSetId),
            auditInsert(tx, actor(caller), now, "change-set.apply", "change-set", changeSetId, { revision: next, operations: ops.length }),
          ]);
          revision = r.revision;
          published = r;
          config = after;
        } else {
          await tx.updateTable("change_sets").set({ status: "applied", applied_revision: revision }).where("id", "=", changeSetId).execute();
          await writeAudit(tx, actor(caller), now, "change-set.apply", "change-set", changeSetId, { revision, operations: 0 });
        }
        const openChangeSets = new Map(current.openChangeSets);
        openChangeSets.delete(changeSetId);
        const pending = pendingOf(openChangeSets);
        install = { entry: { config, ctx: current.ctx, pending, openChangeSets, account: { numbers: current.account.numbers, revision } }, generation: current.generation };
        return { revision, changeSetId, config, ctx: current.ctx, pending, touched: touchedBy(ops) };
      })
      .catch((error: unknown) => {
        this.cache.invalidate(accountId);
        throw error;
      });
    // After commit only: the applied configuration becomes the cached live one, unless another write intervened.
    if (install) {
      const { entry, generation } = install as { entry: LiveEntry; generation: number };
      this.cache.setIfUnchanged(accountId, generation, entry);
    }
    if (published) this.notifier.published({ accountId, ...(published as { revision: number; changed: string[] }) });
    return out;
  }

  /** Writes the new revision in one statement: the configuration changes, the revision row, and `extra(revision)`. */
  private async commitRevision(
    tx: Tx,
    caller: Caller,
    live: Config,
    after: Config,
    now: Date,
    changeSetId: string | null,
    operations: number,
    current: number,
    extra: (revision: number) => Compilable | Compilable[],
  ): Promise<{ revision: number; changed: string[] }> {
    const { changed, versioned, queries } = persistConfig(tx, caller.account.id, live, after, now);
    const revision = current + 1;
    queries.push(tx.updateTable("accounts").set({ revision }).where("id", "=", caller.account.id));
    queries.push(tx.insertInto("revisions").values({ account_id: caller.account.id, revision, change_set_id: changeSetId, applied_at: now, operations }));
    // The outbox row commits with the revision, so a crash before publishing loses nothing (backend/outbox/).
    queries.push(outboxInsert(tx, caller.account.id, revision, now));
    queries.push(...[extra(revision)].flat());
    await runBatch(tx, queries);
    // The in-memory result now mirrors the store: versions and stamps of what changed, on new objects
    // (the old ones may be shared with the configuration before this revision).
    const bumped = new Set(versioned);
    const stamped = <O extends { liveVersion: number | null; createdAt: Date | null; updatedAt: Date | null }>(id: string, o: O): O => ({
      ...o,
      liveVersion: bumped.has(id) ? (o.liveVersion ?? 0) + 1 : o.liveVersion,
      createdAt: o.createdAt ?? now,
      updatedAt: now,
    });
    for (const id of changed) {
      const device = after.devices.get(id);
      if (device) after.devices.set(id, stamped(id, device));
      const user = after.users.get(id);
      if (user) after.users.set(id, stamped(id, user));
    }
    return { revision, changed };
  }
}
