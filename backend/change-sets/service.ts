// Change sets as the routes and the configuration services use them. Every configuration write goes through
// `write`: staged into the caller's change set when it names one (Pbx-Change-Set, staging.ts), otherwise
// applied at once as a one-operation revision (applying.ts). Reads go through `view` (viewing.ts). Here:
// opening, listing and discarding change sets.
import type { Db } from "../store/schema.ts";
import type { Clock } from "../clock.ts";
import type { Caller } from "../accounts/caller.ts";
import { lockAccount } from "../accounts/store.ts";
import { actorOf, writeAudit } from "../audit/store.ts";
import type { LiveCache } from "../configuration/cache.ts";
import type { PostCommit } from "../configuration/post-commit.ts";
import { newId } from "../ids.ts";
import type { ChangeSet } from "../../schemas/change-set.ts";
import { Applying, type Applied } from "./applying.ts";
import type { ConfigurationView, Planner, WriteResult } from "./planner.ts";
import { Staging } from "./staging.ts";
import { insertChangeSet, listChangeSets, listRevisions } from "./store.ts";
import { openChangeSetOf } from "./validator.ts";
import { ConfigurationViews } from "./viewing.ts";

export class ChangeSetService {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly cache: LiveCache;
  private readonly staging: Staging;
  private readonly applying: Applying;
  private readonly views: ConfigurationViews;
  constructor(deps: { db: Db; clock: Clock; cache: LiveCache; postCommit: PostCommit }) {
    this.db = deps.db;
    this.clock = deps.clock;
    this.cache = deps.cache;
    this.staging = new Staging(deps);
    this.applying = new Applying(deps);
    this.views = new ConfigurationViews(deps);
  }

  /** One configuration write: staged when `changeSetId` is set, else applied at once as a new revision. */
  write<T>(caller: Caller, changeSetId: string | null, plan: Planner<T>): Promise<WriteResult<T>> {
    return changeSetId === null ? this.applying.applyNow(caller, plan) : this.staging.stage(caller, changeSetId, plan);
  }

  /** The configuration a reader sees: live, or live with the caller's change set replayed on top. */
  view(caller: Caller, changeSetId: string | null, only?: readonly string[]): Promise<ConfigurationView> {
    return this.views.view(caller, changeSetId, only);
  }

  /** Makes one change set live atomically; checks the live-configuration rules on the result. */
  apply(caller: Caller, changeSetId: string): Promise<Applied> {
    return this.applying.apply(caller, changeSetId);
  }

  async open(caller: Caller, description: string | null): Promise<ChangeSet> {
    const id = newId("cs");
    const now = this.clock.now();
    await insertChangeSet(this.db, { id, accountId: caller.account.id, tokenId: caller.tokenId, description, now });
    this.trackOpened(caller.account.id, id, caller.tokenId);
    return { id, status: "open", description, operations: 0, createdAt: now.toISOString(), appliedRevision: null };
  }

  /** A newly opened change set joins the cached state, so staging into it needs no load. */
  private trackOpened(accountId: string, changeSetId: string, tokenId: string): void {
    const entry = this.cache.get(accountId);
    if (entry?.openChangeSets)
      this.cache.set(accountId, {
        ...entry,
        openChangeSets: new Map(entry.openChangeSets).set(changeSetId, { tokenId, ops: [] }),
      });
    else this.cache.invalidate(accountId); // a writer holding the entry must not reinstall it without this set
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
      await writeAudit(tx, actorOf(caller), this.clock.now(), "change-set.discard", "change-set", id, {});
    });
    this.cache.invalidate(caller.account.id);
  }
}
