// Licence-changing writes (orders, cancellations, reinstatements, call-plan changes) keep the cached live
// entry warm: they change only its licences, which they know.
import type { LiveCache, LiveEntry } from "./cache.ts";
import type { Licence } from "./model.ts";
import type { PostCommit } from "./post-commit.ts";

/** The entry with these licences added or replaced: orders and subscription changes keep the entry warm. */
function withLicences(entry: LiveEntry, licences: Licence[]): LiveEntry {
  const map = new Map(entry.ctx.licences);
  for (const licence of licences) map.set(licence.id, licence);
  return { ...entry, ctx: { ...entry.ctx, licences: map } };
}

/** A subscription as the configuration's licence context holds it. */
export function licenceOf(s: {
  id: string;
  product: string;
  callPlan: string | null;
  status: string;
  cancellationEffectiveAt: string | null;
}): Licence {
  return {
    id: s.id,
    product: s.product,
    callPlan: s.callPlan,
    status: s.status,
    cancellationEffectiveAt: s.cancellationEffectiveAt === null ? null : new Date(s.cancellationEffectiveAt),
  };
}

/**
 * A licence-changing write's hold on the cached entry (orders, cancellations, reinstatements, call-plan
 * changes). `take` it inside the transaction, after the account lock: the entry is invalidated at once. After
 * commit `settle` reinstalls it with the licences the write `changed` through the post-commit step, unless
 * another write touched the account meanwhile; on failure the account stays invalidated.
 */
export class LicenceWrite {
  private readonly cache: LiveCache;
  private readonly postCommit: PostCommit;
  private readonly accountId: string;
  private entry: LiveEntry | undefined;
  private generation = 0;

  constructor(deps: { cache: LiveCache; postCommit: PostCommit }, accountId: string) {
    this.cache = deps.cache;
    this.postCommit = deps.postCommit;
    this.accountId = accountId;
  }

  take(): void {
    this.entry = this.cache.get(this.accountId);
    this.cache.invalidate(this.accountId);
    this.generation = this.cache.generation(this.accountId);
  }

  changed(licences: Licence[]): void {
    if (this.entry) this.entry = withLicences(this.entry, licences);
  }

  /** The store changed more than this write knows (cancellations fell due): the next reader reloads. */
  drop(): void {
    this.entry = undefined;
  }

  settle<T>(transaction: Promise<T>): Promise<T> {
    // The entry is read once the transaction has committed: every licence it changed is in it by then.
    const committed = transaction.then((value) => ({
      value,
      entry: this.entry ?? null,
      generation: this.generation,
      published: null,
    }));
    return this.postCommit.after(this.accountId, committed);
  }
}
