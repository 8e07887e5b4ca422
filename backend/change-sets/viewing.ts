// What a reader sees: the live configuration (cached on the embedded store), or live with the caller's
// change set replayed on top.
import type { Db } from "../store/schema.ts";
import type { Clock } from "../clock.ts";
import type { Caller } from "../accounts/caller.ts";
import type { LiveCache } from "../configuration/cache.ts";
import { replay } from "../configuration/operations.ts";
import { loadConfig, loadContext, loadOps, loadPending } from "../configuration/store.ts";
import { anyDue } from "../subscriptions/store.ts";
import { openChangeSetOf } from "./validator.ts";
import type { ConfigurationView } from "./planner.ts";

export class ConfigurationViews {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly cache: LiveCache;
  constructor(deps: { db: Db; clock: Clock; cache: LiveCache }) {
    this.db = deps.db;
    this.clock = deps.clock;
    this.cache = deps.cache;
  }

  /**
   * `only`: the objects a read by ids needs, when nothing is cached (a cached entry holds the whole account):
   * a read of a hundred ids must not load the whole account.
   */
  async view(caller: Caller, changeSetId: string | null, only?: readonly string[]): Promise<ConfigurationView> {
    return changeSetId === null ? this.live(caller, only) : this.throughChangeSet(caller, changeSetId);
  }

  private async live(caller: Caller, only: readonly string[] | undefined): Promise<ConfigurationView> {
    const accountId = caller.account.id;
    const cached = this.cache.get(accountId);
    if (cached && !anyDue(cached.ctx.licences.values(), this.clock.now())) return cached;
    const generation = this.cache.generation(accountId);
    const scope = this.cache.enabled ? undefined : only; // a cached entry must hold the whole account
    const entry = await this.db.transaction().execute(async (tx) => {
      const config = await loadConfig(tx, accountId, scope);
      // Scoped: only the licences of the objects loaded (a user shows its licence's call plan).
      const licenceIds =
        scope === undefined
          ? undefined
          : [...config.users.values(), ...config.devices.values()].map((o) => o.licenceId);
      return {
        config,
        ctx: await loadContext(tx, accountId, caller.account.numbers, licenceIds),
        pending: await loadPending(tx, accountId, scope),
      };
    });
    // Installed only if no write touched the account while this loaded (see configuration/cache.ts).
    if (!anyDue(entry.ctx.licences.values(), this.clock.now())) this.cache.setIfUnchanged(accountId, generation, entry);
    return entry;
  }

  private async throughChangeSet(caller: Caller, changeSetId: string): Promise<ConfigurationView> {
    const accountId = caller.account.id;
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
}
