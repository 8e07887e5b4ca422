/**
 * Save-and-apply with group commit. Every hook stages its change into the provider process's open change
 * set and returns only once that change set is applied (live). Hooks that run at the same time share one
 * apply. A change set being applied is closed to new changes: later hooks stage into the next one.
 *
 * When the backend refuses an apply because the result would break a rule of the live configuration
 * (two users on one extension, a device linked twice), the refusal may be temporary: the engine runs
 * independent updates in parallel, so the hook that frees the extension may not have staged yet. The
 * change set stays open and is applied again whenever another change joins it, until a deadline. Past the
 * deadline it is discarded and every change in it is replayed alone, so the changes that really conflict
 * fail (with the backend's message naming both holders) and the others go live.
 *
 * A refusal names the objects that break the rule. The changes of the set that touch none of them go live at
 * once, without waiting: the change that resolves the conflict may depend on one of them (a user taking
 * over an extension, who must first be linked to a device the same set creates), so holding them back with
 * the conflicting changes would wait for a change that cannot come until the deadline.
 *
 * A hook whose staging fails part-way may have left operations in the shared change set. That set is
 * never applied: it is discarded and the other hooks' changes are staged again into a fresh one (staging
 * is replayable, since nothing staged is live), so a failed hook leaves nothing behind.
 */

export interface ChangeSetApi<A extends { revision: number } = { revision: number }> {
  open(): Promise<string>;
  /** Applies the change set; resolves with the backend's answer (the revision, and what it made live). */
  apply(changeSetId: string): Promise<A>;
  discard(changeSetId: string): Promise<void>;
  /** True for a refusal that a later change in the same set could resolve. */
  isRuleConflict(error: unknown): boolean;
  /** The ids of the objects a rule conflict names (the holders of an extension, a device, a licence). */
  conflictObjects?(error: unknown): readonly string[];
}

export interface BatcherOptions {
  /** How long a rule conflict may wait for other changes to resolve it. */
  conflictDeadlineMs?: number;
  /** Pause between applies of a set that is waiting for changes, when none arrive. */
  conflictRetryMs?: number;
  /**
   * How long a change set with nothing being staged waits for more changes before it is applied. The
   * engine starts hooks in waves, a few milliseconds apart; a short wait lets one apply serve the wave.
   */
  lingerMs?: number;
}

export type StageFn<T> = (changeSetId: string) => Promise<T>;

export interface SubmitOptions<T> {
  /** The object the change is about, from what staging answered (a create's id is known only then). */
  objectId?: (staged: T) => string;
}

export interface Applied<T, A = { revision: number }> {
  result: T;
  revision: number;
  /** The apply's answer, shared by every change of the batch. */
  answer: A;
}

interface Waiter {
  stage: StageFn<unknown>;
  objectId?: (staged: unknown) => string;
  result: unknown;
  resolve: (applied: Applied<unknown, unknown>) => void;
  reject: (error: unknown) => void;
  /** When this change first took part in a refused apply. */
  conflictSince?: number;
  /** Replayed alone after the deadline: a further conflict is final. */
  alone?: boolean;
}

interface Batch {
  id: Promise<string>;
  staging: number;
  waiters: Waiter[];
  applying: boolean;
  /** A hook failed while staging into this set: it must not be applied. */
  poisoned: boolean;
  lingerTimer?: ReturnType<typeof setTimeout>;
}

export interface BatcherStats {
  applies: number;
  mutationsApplied: number;
}

export class ApplyBatcher<A extends { revision: number } = { revision: number }> {
  private readonly api: ChangeSetApi<A>;
  private readonly conflictDeadlineMs: number;
  private readonly conflictRetryMs: number;
  private readonly lingerMs: number;
  private open: Batch | undefined;
  /** Changes refused for a rule conflict, waiting for a change that resolves it. */
  private parked: Waiter[] = [];
  private parkedTimer: ReturnType<typeof setTimeout> | undefined;
  /**
   * The apply in flight, if any. One at a time per process: the backend applies one change set of an
   * account at a time anyway, and changes that arrive meanwhile gather into the next set (group commit).
   */
  private inFlight: Promise<void> | undefined;
  readonly stats: BatcherStats = { applies: 0, mutationsApplied: 0 };

  constructor(api: ChangeSetApi<A>, options: BatcherOptions = {}) {
    this.api = api;
    this.conflictDeadlineMs = options.conflictDeadlineMs ?? 20_000;
    this.conflictRetryMs = options.conflictRetryMs ?? 250;
    this.lingerMs = options.lingerMs ?? 10;
  }

  /** Stages a change with `stage` and resolves once it is live, with the revision that made it so. */
  submit<T>(stage: StageFn<T>, options: SubmitOptions<T> = {}): Promise<Applied<T, A>> {
    return new Promise<Applied<T, A>>((resolve, reject) => {
      const waiter: Waiter = {
        stage,
        objectId: options.objectId as ((staged: unknown) => string) | undefined,
        result: undefined,
        resolve: resolve as (applied: Applied<unknown, unknown>) => void,
        reject,
      };
      const batch = this.currentBatch();
      // A new change may be the one a parked change is waiting for: apply them together.
      this.unpark(batch);
      void this.stageInto(batch, waiter);
    });
  }

  private newBatch(): Batch {
    const id = this.api.open();
    id.catch(() => undefined); // surfaced to each waiter through stageInto
    return { id, staging: 0, waiters: [], applying: false, poisoned: false };
  }

  private currentBatch(): Batch {
    if (!this.open || this.open.applying) this.open = this.newBatch();
    return this.open;
  }

  private unpark(batch: Batch): void {
    const parked = this.parked;
    this.parked = [];
    if (this.parkedTimer) clearTimeout(this.parkedTimer);
    this.parkedTimer = undefined;
    for (const w of parked) void this.stageInto(batch, w);
  }

  private async stageInto(batch: Batch, waiter: Waiter): Promise<void> {
    batch.staging++;
    try {
      waiter.result = await waiter.stage(await batch.id);
      batch.waiters.push(waiter);
    } catch (error) {
      batch.poisoned = true;
      waiter.reject(error);
    } finally {
      batch.staging--;
    }
    // Apply only when no change is half-staged into the set; the last stager to finish triggers it.
    this.settle(batch);
  }

  /** Applies (or restages) the set once nothing is being staged into it and the linger has passed. */
  private settle(batch: Batch): void {
    if (batch.applying || batch.staging > 0 || batch.lingerTimer) return;
    batch.lingerTimer = setTimeout(() => {
      batch.lingerTimer = undefined;
      if (batch.applying || batch.staging > 0) return; // a stager still at work will settle it
      if (batch.poisoned) void this.restage(batch);
      else if (batch.waiters.length > 0) this.applyWhenFree(batch);
    }, this.lingerMs);
  }

  /** Applies the set now, or right after the apply in flight, which keeps the set open to more changes meanwhile. */
  private applyWhenFree(batch: Batch): void {
    if (this.inFlight) {
      void this.inFlight.then(() => this.settle(batch));
      return;
    }
    const done = this.apply(batch).finally(() => {
      if (this.inFlight === done) this.inFlight = undefined;
    });
    this.inFlight = done;
  }

  private async restage(batch: Batch): Promise<void> {
    batch.applying = true;
    if (this.open === batch) this.open = undefined;
    await batch.id.then((id) => this.api.discard(id)).catch(() => undefined);
    const fresh = this.currentBatch();
    for (const w of batch.waiters) void this.stageInto(fresh, w);
  }

  private async apply(batch: Batch): Promise<void> {
    batch.applying = true;
    if (this.open === batch) this.open = undefined;
    const { waiters } = batch;
    let changeSetId: string;
    try {
      changeSetId = await batch.id;
      const answer = await this.api.apply(changeSetId);
      this.stats.applies++;
      this.stats.mutationsApplied += waiters.length;
      for (const w of waiters) w.resolve({ result: w.result, revision: answer.revision, answer });
      return;
    } catch (error) {
      await batch.id.then((id) => this.api.discard(id)).catch(() => undefined);
      if (!this.api.isRuleConflict(error)) {
        for (const w of waiters) w.reject(error);
        return;
      }
      this.onConflict(waiters, error);
    }
  }

  private onConflict(all: Waiter[], error: unknown): void {
    const named = new Set(this.api.conflictObjects?.(error) ?? []);
    const isNamed = (w: Waiter) => w.objectId !== undefined && named.has(w.objectId(w.result));
    const blamed = all.filter(isNamed);
    // Without a named change to hold back, the whole set waits.
    const waiters = blamed.length === 0 ? all : blamed;
    if (waiters.length < all.length) {
      // The changes the refusal does not name go live now, in a set of their own.
      const fresh = this.newBatch();
      for (const w of all) if (!isNamed(w)) void this.stageInto(fresh, w);
    }
    const now = Date.now();
    for (const w of waiters) {
      w.conflictSince ??= now;
      if (w.alone || (waiters.length === 1 && now - w.conflictSince >= this.conflictDeadlineMs)) {
        w.reject(error);
      } else if (now - w.conflictSince >= this.conflictDeadlineMs) {
        // Past the deadline: replay alone, so only the changes that really conflict fail.
        w.alone = true;
        void this.stageInto(this.newBatch(), w);
      } else {
        this.parked.push(w);
      }
    }
    if (this.parked.length > 0 && !this.parkedTimer) {
      this.parkedTimer = setTimeout(() => {
        this.parkedTimer = undefined;
        this.unpark(this.currentBatch());
      }, this.conflictRetryMs);
    }
  }
}
