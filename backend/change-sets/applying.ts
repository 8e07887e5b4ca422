// Applying: a change set made live as one revision, or a direct write (no Pbx-Change-Set) applied at once as
// a one-operation change set. Both check the live-configuration rules on the result.
import type { Db } from "../store/schema.ts";
import type { Clock } from "../clock.ts";
import type { Caller } from "../accounts/caller.ts";
import { actorOf, auditInsert, writeAudit } from "../audit/store.ts";
import type { LiveCache } from "../configuration/cache.ts";
import { replay, touchedBy } from "../configuration/operations.ts";
import { pendingOf } from "../configuration/store.ts";
import { liveForWrite } from "./live-state.ts";
import type { Committed, PostCommit } from "../configuration/post-commit.ts";
import type { ConfigurationView, Planner, WriteResult } from "./planner.ts";
import { commitRevision } from "./revision.ts";
import { openChangeSetIn } from "./validator.ts";

/** An applied change set: its revision and the live configuration right after it, with the objects it touched. */
export interface Applied extends ConfigurationView {
  revision: number;
  changeSetId: string;
  /** Users and devices the change set's operations named (some may be gone: deleted by it). */
  touched: { users: string[]; devices: string[] };
}

export class Applying {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly cache: LiveCache;
  private readonly postCommit: PostCommit;
  constructor(deps: { db: Db; clock: Clock; cache: LiveCache; postCommit: PostCommit }) {
    this.db = deps.db;
    this.clock = deps.clock;
    this.cache = deps.cache;
    this.postCommit = deps.postCommit;
  }

  /** A write applied at once as a new revision: the planned operation and its follow-ups. */
  applyNow<T>(caller: Caller, plan: Planner<T>): Promise<WriteResult<T>> {
    const accountId = caller.account.id;
    return this.postCommit.after(
      accountId,
      this.db.transaction().execute(async (tx): Promise<Committed<WriteResult<T>>> => {
        const now = this.clock.now();
        const current = await liveForWrite(tx, this.cache, accountId, now);
        const { config: live, ctx, pending, account } = current;
        const planned = plan(live, ctx);
        if ("existing" in planned)
          return {
            value: { config: live, ctx, pending, revision: null, changeSetId: null, value: planned.existing },
            entry: current,
            generation: current.generation,
            published: null,
          };
        const applied = [planned.op, ...(planned.then ?? [])];
        const after = replay(live, ctx, applied, true);
        const written = await commitRevision(
          tx,
          {
            accountId,
            before: live,
            after,
            now,
            changeSetId: null,
            operations: applied.length,
            current: account.revision,
          },
          (revision) =>
            applied.map((op) =>
              auditInsert(tx, actorOf(caller), now, op.op, op.op.split(".")[0] ?? "", op.id, { revision, op }),
            ),
        );
        return {
          value: { config: after, ctx, pending, revision: written.revision, changeSetId: null, value: planned.value },
          entry: {
            config: after,
            ctx,
            pending,
            openChangeSets: current.openChangeSets,
            account: { numbers: account.numbers, revision: written.revision },
          },
          generation: current.generation,
          published: written,
        };
      }),
    );
  }

  /** Makes one change set live atomically; an empty one answers the current revision. */
  apply(caller: Caller, changeSetId: string): Promise<Applied> {
    const accountId = caller.account.id;
    return this.postCommit.after(
      accountId,
      this.db.transaction().execute(async (tx): Promise<Committed<Applied>> => {
        const now = this.clock.now();
        const current = await liveForWrite(tx, this.cache, accountId, now);
        const { ops } = await openChangeSetIn(tx, current, caller, changeSetId);
        let revision = current.account.revision;
        let config = current.config;
        let published: { revision: number; changed: string[] } | null = null;
        if (ops.length > 0) {
          const after = replay(current.config, current.ctx, ops, true);
          published = await commitRevision(
            tx,
            { accountId, before: current.config, after, now, changeSetId, operations: ops.length, current: revision },
            (next) => [
              tx
                .updateTable("change_sets")
                .set({ status: "applied", applied_revision: next })
                .where("id", "=", changeSetId),
              auditInsert(tx, actorOf(caller), now, "change-set.apply", "change-set", changeSetId, {
                revision: next,
                operations: ops.length,
              }),
            ],
          );
          revision = published.revision;
          config = after;
        } else {
          await tx
            .updateTable("change_sets")
            .set({ status: "applied", applied_revision: revision })
            .where("id", "=", changeSetId)
            .execute();
          await writeAudit(tx, actorOf(caller), now, "change-set.apply", "change-set", changeSetId, {
            revision,
            operations: 0,
          });
        }
        const openChangeSets = new Map(current.openChangeSets);
        openChangeSets.delete(changeSetId);
        const pending = pendingOf(openChangeSets);
        return {
          value: { revision, changeSetId, config, ctx: current.ctx, pending, touched: touchedBy(ops) },
          entry: {
            config,
            ctx: current.ctx,
            pending,
            openChangeSets,
            account: { numbers: current.account.numbers, revision },
          },
          generation: current.generation,
          published,
        };
      }),
    );
  }
}
