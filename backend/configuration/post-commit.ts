// The one step every write of an account's configuration or licences takes after its transaction committed,
// in this order: install the live state it left as the account's cache entry (unless another write touched
// the account since it began), then publish the revision it applied. Never before commit: a rolled-back
// write leaves neither, and the account stays uncached.
import type { LiveCache, LiveEntry } from "./cache.ts";
import type { RevisionNotifier } from "../change-sets/notifier.ts";

/** What a write's transaction returns: its answer, the state it left, and the revision it applied if any. */
export interface Committed<T> {
  value: T;
  /** null: the write does not know the whole state after it (the next reader loads it). */
  entry: LiveEntry | null;
  /** The cache generation the write took the live state under. */
  generation: number;
  published: { revision: number; changed: string[] } | null;
}

export class PostCommit {
  private readonly cache: LiveCache;
  private readonly notifier: RevisionNotifier;
  constructor(cache: LiveCache, notifier: RevisionNotifier) {
    this.cache = cache;
    this.notifier = notifier;
  }

  /** Awaits the write's transaction, then installs and publishes what it left; a failed one leaves the account uncached. */
  async after<T>(accountId: string, transaction: Promise<Committed<T>>): Promise<T> {
    let committed: Committed<T>;
    try {
      committed = await transaction;
    } catch (error) {
      this.cache.invalidate(accountId);
      throw error;
    }
    if (committed.entry) this.cache.setIfUnchanged(accountId, committed.generation, committed.entry);
    if (committed.published) this.notifier.published({ accountId, ...committed.published });
    return committed.value;
  }
}
