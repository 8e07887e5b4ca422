/**
 * Reads answered from one listing of what the stack made. A refresh reads every resource of a stack at
 * once; client references start with a prefix naming the stack (`pbx:<stack>:`, see
 * sdk/client-reference.ts), so one listing per kind answers thousands of reads where `?ids=` calls
 * (api-client/read-batcher.ts) would take hundreds.
 *
 * A listing answers only reads that arrive within `maxAgeMs` of asking for it, and none once this process
 * has started a write since; none is asked for while a write of this process is unanswered. So a read
 * never returns state older than that window, nor older than this process's own change. A stack is
 * listed at most once per window, so reads mixed with writes (a refresh inside an update) cost one
 * listing per window, not one per read; between listings they go by id. An id the listing lacks (an
 * object adopted from the portal, one that is gone, a cancelled licence) is read by id, which is also
 * where "gone" is decided.
 */
export interface StackReadsOptions {
  /** 0 turns listings off: every read goes by id. */
  maxAgeMs: number;
  /** This process's writes: how many were started so far, and how many of them are not answered yet. */
  writes: { readonly started: number; readonly inFlight: number };
  now?: () => number;
}

interface Listing<T> {
  askedAt: number;
  writes: number;
  objects: Promise<ReadonlyMap<string, T>>;
}

export class StackReads<T extends { id: string }> {
  private readonly listings = new Map<string, Listing<T>>();
  private readonly list: (prefix: string) => Promise<T[]>;
  private readonly byId: (id: string) => Promise<T | undefined>;
  private readonly options: StackReadsOptions;
  private readonly now: () => number;

  /** `list(prefix)` lists the live objects whose client reference starts with `prefix`; `byId` reads one. */
  constructor(
    list: (prefix: string) => Promise<T[]>,
    byId: (id: string) => Promise<T | undefined>,
    options: StackReadsOptions,
  ) {
    this.list = list;
    this.byId = byId;
    this.options = options;
    this.now = options.now ?? (() => performance.now());
  }

  /** The object `id`, of the stack `stackPrefix` names (undefined: none, read by id), or undefined when gone. */
  async get(id: string, stackPrefix: string | undefined): Promise<T | undefined> {
    const listing = stackPrefix === undefined ? undefined : this.listing(stackPrefix);
    // A failed listing leaves the read to the by-id path, which reports its own error.
    const found = listing && (await listing.catch(() => undefined))?.get(id);
    return found ?? this.byId(id);
  }

  /** The listing that may answer a read now, asked for if the window allows; undefined: read by id. */
  private listing(prefix: string): Promise<ReadonlyMap<string, T>> | undefined {
    if (this.options.maxAgeMs <= 0) return undefined;
    const now = this.now();
    const writes = this.options.writes.started;
    const last = this.listings.get(prefix);
    const inWindow = last !== undefined && now - last.askedAt <= this.options.maxAgeMs;
    if (inWindow) return last.writes === writes ? last.objects : undefined;
    if (this.options.writes.inFlight > 0) return undefined;
    const listing: Listing<T> = {
      askedAt: now,
      writes,
      objects: this.list(prefix).then((objects) => new Map(objects.map((o) => [o.id, o]))),
    };
    // A listing that fails answers nothing: until its window has passed, reads go by id (see `get`).
    listing.objects.catch(() => undefined);
    this.listings.set(prefix, listing);
    return listing.objects;
  }
}
