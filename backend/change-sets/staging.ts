// Staging: a write that names a change set (Pbx-Change-Set) is checked against the change set's projection
// and recorded in it; the live configuration stays as it was.
import type { Db, Tx } from "../store/schema.ts";
import type { Clock } from "../clock.ts";
import type { Caller } from "../accounts/caller.ts";
import { actorOf, auditInsertMany, type AuditRecord } from "../audit/store.ts";
import type { LiveCache } from "../configuration/cache.ts";
import { applyOp, replay, type Op } from "../configuration/operations.ts";
import { addPending } from "../configuration/store.ts";
import { ApiError } from "../errors.ts";
import { runBatch } from "../store/batch.ts";
import { GroupCommit } from "../store/group-commit.ts";
import { liveForWrite } from "./live-state.ts";
import type { Committed, PostCommit } from "../configuration/post-commit.ts";
import type { ConfigurationView, Planner, WriteResult } from "./planner.ts";
import { appendOpsQuery } from "./store.ts";
import { openChangeSetIn } from "./validator.ts";

interface StagedWrite {
  caller: Caller;
  changeSetId: string;
  plan: Planner<unknown>;
  resolve: (result: WriteResult<unknown>) => void;
  reject: (error: unknown) => void;
}

type Outcome = { item: StagedWrite; value: unknown } | { item: StagedWrite; error: ApiError };

export class Staging {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly cache: LiveCache;
  private readonly postCommit: PostCommit;
  /** Staged writes of one change set share transactions (see `stage`). */
  private readonly queue = new GroupCommit<StagedWrite>((_key, batch) => this.stageTogether(batch));
  constructor(deps: { db: Db; clock: Clock; cache: LiveCache; postCommit: PostCommit }) {
    this.db = deps.db;
    this.clock = deps.clock;
    this.cache = deps.cache;
    this.postCommit = deps.postCommit;
  }

  /**
   * Staged writes into one change set are written together (group commit): the first goes at once, and
   * those that arrive while a transaction is running wait and share the next one. Each is planned in
   * arrival order against the change set's projection so far, exactly as if written one by one; one
   * refused write fails alone. The answer shows the change set's projection after the shared transaction.
   */
  stage<T>(caller: Caller, changeSetId: string, plan: Planner<T>): Promise<WriteResult<T>> {
    return new Promise<WriteResult<T>>((resolve, reject) => {
      const item: StagedWrite = {
        caller,
        changeSetId,
        plan,
        resolve: resolve as (r: WriteResult<unknown>) => void,
        reject,
      };
      this.queue.submit(`${caller.account.id}/${caller.tokenId}/${changeSetId}`, item);
    });
  }

  private async stageTogether(batch: StagedWrite[]): Promise<void> {
    const first = batch[0]!.caller; // every write of a batch has the same account, token and change set (the key)
    const changeSetId = batch[0]!.changeSetId;
    let staged: { view: ConfigurationView; outcomes: Outcome[] };
    try {
      staged = await this.postCommit.after(
        first.account.id,
        this.db.transaction().execute((tx) => this.stageIn(tx, first, changeSetId, batch)),
      );
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    for (const o of staged.outcomes) {
      if ("error" in o) o.item.reject(o.error);
      else o.item.resolve({ ...staged.view, revision: null, changeSetId, value: o.value });
    }
  }

  private async stageIn(
    tx: Tx,
    first: Caller,
    changeSetId: string,
    batch: StagedWrite[],
  ): Promise<Committed<{ view: ConfigurationView; outcomes: Outcome[] }>> {
    const now = this.clock.now();
    const current = await liveForWrite(tx, this.cache, first.account.id, now);
    const { config: live, ctx, account } = current;
    const { ops } = await openChangeSetIn(tx, current, first, changeSetId);
    // One copy of the configuration per batch, changed in place write by write (a copy per write would
    // cost the whole account each time); rebuilt from the staged operations only after a refusal.
    let projected = replay(live, ctx, ops, false);
    const stagedSoFar: Op[] = [];
    const audit: AuditRecord[] = [];
    const outcomes: Outcome[] = [];
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
        audit.push({
          actor: actorOf(item.caller),
          at: now,
          action: `stage:${op.op}`,
          objectKind: op.op.split(".")[0] ?? "",
          objectId: op.id,
          detail: { changeSetId, op },
        });
        stagedSoFar.push(op);
      }
      outcomes.push({ item, value: planned.value });
    }
    // The whole batch is one statement: on the embedded store each statement costs about a millisecond.
    if (stagedSoFar.length > 0)
      await runBatch(tx, [appendOpsQuery(tx, changeSetId, ops.length + 1, stagedSoFar), auditInsertMany(tx, audit)]);
    const pending = new Map(current.pending);
    addPending(pending, changeSetId, stagedSoFar);
    const openChangeSets = new Map(current.openChangeSets).set(changeSetId, {
      tokenId: first.tokenId,
      ops: [...ops, ...stagedSoFar],
    });
    // Staging leaves the live configuration as it was: the entry stays valid with the new pending map.
    return {
      value: { view: { config: projected, ctx, pending }, outcomes },
      entry: { config: live, ctx, pending, account, openChangeSets },
      generation: current.generation,
      published: null,
    };
  }
}
